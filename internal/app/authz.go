package app

import (
	"context"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
)

// policySource gives the policies of a caller (principalPolicies).
type policySource interface {
	For(ctx context.Context, p *principal.Principal) (docs []*policy.Document, session *policy.Document, err error)
}

// authorizer evaluates every signed call against the caller's policies, as
// AWS does before a service runs: the root is allowed everything, an IAM
// user what its policies allow, a role session what its role's policies
// (and its session policy, if any) allow.
type authorizer struct {
	policies        policySource
	region, account string
	now             func() time.Time

	fields sync.Map // reflect.Type → []resourceField
}

// resourceField names an input member that identifies the resource of a
// call, and how to turn it into an ARN.
type resourceField struct {
	index []int
	arn   func(a *authorizer, v string) string
}

// resourceMembers are the members, per service, that name the resource.
var resourceMembers = map[string][]struct {
	member string
	arn    func(a *authorizer, v string) string
}{
	"cognito-idp": {{"UserPoolId", func(a *authorizer, v string) string {
		return "arn:aws:cognito-idp:" + a.region + ":" + a.account + ":userpool/" + v
	}}},
	"cognito-identity": {{"IdentityPoolId", func(a *authorizer, v string) string {
		return "arn:aws:cognito-identity:" + a.region + ":" + a.account + ":identitypool/" + v
	}}},
	"iam": {
		{"RoleName", func(a *authorizer, v string) string { return "arn:aws:iam::" + a.account + ":role/" + v }},
		{"UserName", func(a *authorizer, v string) string { return "arn:aws:iam::" + a.account + ":user/" + v }},
		{"PolicyArn", func(_ *authorizer, v string) string { return v }},
		{"OpenIDConnectProviderArn", func(_ *authorizer, v string) string { return v }},
	},
	"sts": {{"RoleArn", func(_ *authorizer, v string) string { return v }}},
}

// unauthorizedActions need no permission (AWS: "No permissions are
// required to perform this operation").
var unauthorizedActions = map[string]bool{"sts:GetCallerIdentity": true}

func (a *authorizer) resource(svc *awsapi.Service, in awsapi.Input) string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "*"
	}
	t := v.Elem().Type()
	cached, ok := a.fields.Load(t)
	if !ok {
		var fs []resourceField
		for _, m := range resourceMembers[svc.Name] {
			if f, ok := t.FieldByName(m.member); ok && f.Type == reflect.TypeFor[*string]() {
				fs = append(fs, resourceField{index: f.Index, arn: m.arn})
			}
		}
		cached, _ = a.fields.LoadOrStore(t, fs)
	}
	for _, f := range cached.([]resourceField) {
		if p := v.Elem().FieldByIndex(f.index).Interface().(*string); p != nil && *p != "" {
			return f.arn(a, *p)
		}
	}
	return "*"
}

func (a *authorizer) context(ctx context.Context, p *principal.Principal) map[string][]string {
	now := a.now().UTC()
	c := map[string][]string{
		"aws:CurrentTime":      {now.Format(time.RFC3339)},
		"aws:EpochTime":        {strconv.FormatInt(now.Unix(), 10)},
		"aws:SecureTransport":  {"false"},
		"aws:PrincipalArn":     {p.ARN},
		"aws:PrincipalAccount": {p.Account},
		"aws:userid":           {p.UserID},
	}
	if ip := principal.RequestInfoFrom(ctx).SourceIP; ip != "" {
		c["aws:SourceIp"] = []string{ip}
	}
	switch p.Kind {
	case principal.User:
		c["aws:username"] = []string{p.UserName}
		c["aws:PrincipalType"] = []string{"User"}
	case principal.AssumedRole:
		c["aws:PrincipalType"] = []string{"AssumedRole"}
		if p.RoleARN != "" {
			c["aws:PrincipalArn"] = []string{p.RoleARN}
		}
	}
	for k, v := range p.Tags {
		c["aws:PrincipalTag/"+k] = []string{v}
	}
	for k, v := range p.Context {
		c[k] = v
	}
	return c
}

// Authorize implements awsproto.Authorizer.
func (a *authorizer) Authorize(ctx context.Context, p *principal.Principal, svc *awsapi.Service, op *awsapi.Operation, in awsapi.Input) error {
	if p.Kind == principal.Root {
		return nil
	}
	action := svc.SigningName + ":" + op.Name
	if unauthorizedActions[action] {
		return nil
	}
	resource := a.resource(svc, in)
	if svc.Protocol == "rest-json" {
		// API Gateway's management actions are HTTP methods on resource
		// paths: apigateway:POST on arn:aws:apigateway:<region>::/apis.
		info := principal.RequestInfoFrom(ctx)
		action = svc.SigningName + ":" + info.Method
		resource = "arn:aws:apigateway:" + a.region + "::" + info.Path
	}
	docs, session, err := a.policies.For(ctx, p)
	if err != nil {
		return err
	}
	req := &policy.Request{Action: action, Resource: resource, Context: a.context(ctx, p)}
	decision := policy.Evaluate(req, docs...)
	why := "because no identity-based policy allows the " + action + " action"
	if decision == policy.ExplicitDeny {
		why = "with an explicit deny in an identity-based policy"
	}
	if decision == policy.Allow && session != nil {
		if d := session.Evaluate(req); d != policy.Allow {
			decision = d
			why = "because no session policy allows the " + action + " action"
			if d == policy.ExplicitDeny {
				why = "with an explicit deny in a session policy"
			}
		}
	}
	if decision == policy.Allow {
		return nil
	}
	return accessDenied(p.ARN, action, resource, why)
}

// accessDenied words the refusal as AWS does. Query services rename the
// code to AccessDenied (awsproto).
func accessDenied(who, action, resource, why string) error {
	return &awserr.Error{Code: "AccessDeniedException", Status: 400,
		Message: "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource + " " + why}
}
