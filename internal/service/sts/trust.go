package sts

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
)

// trustCheck tells whether a role's trust policy lets the caller perform an
// action (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) on the role.
type trustCheck func(action string) bool

// newTrustCheck parses the role's trust policy once. The caller is the
// principal {"AWS": <caller ARN>}; the policy package treats
// "arn:aws:iam::<account>:root" in a trust policy as any principal of that
// account, as AWS does. A trust policy that does not parse trusts nobody
// (IAM refuses to store one, so this is a safety net, not a code path).
func newTrustCheck(role *Role, caller *principal.Principal, conditions map[string][]string) trustCheck {
	doc, err := policy.Parse(role.TrustPolicy)
	if err != nil {
		return func(string) bool { return false }
	}
	who := &policy.Principal{Type: "AWS", ID: caller.ARN}
	return func(action string) bool {
		return doc.Evaluate(&policy.Request{
			Action:    action,
			Resource:  role.ARN,
			Principal: who,
			Context:   conditions,
		}) == policy.Allow
	}
}

// checkSessionPolicy parses an inline session policy, which follows the
// grammar of identity-based policies (no Principal; Resource required); a
// bad one is MalformedPolicyDocument with the policy package's wording.
func checkSessionPolicy(doc string) error {
	if _, err := policy.ParseIdentity(doc); err != nil {
		if e, ok := awserr.As(err); ok {
			return stsapi.NewMalformedPolicyDocumentException(e.Message)
		}
		return stsapi.NewMalformedPolicyDocumentException(err.Error())
	}
	return nil
}

// assumeConditions are the condition keys a trust policy may test during
// AssumeRole: the global keys of the caller (aws:PrincipalArn, aws:userid,
// aws:PrincipalTag/…, …), the request's tags (aws:RequestTag/…,
// aws:TagKeys) and the STS keys (sts:RoleSessionName, sts:ExternalId,
// sts:TransitiveTagKeys, sts:SourceIdentity).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
func (s *Service) assumeConditions(ctx context.Context, caller *principal.Principal, from *credentialRecord, in *stsapi.AssumeRoleInput, requestTags map[string]string) map[string][]string {
	c := maps.Clone(caller.Context)
	if c == nil {
		c = make(map[string][]string)
	}
	now := s.now().UTC()
	c["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
	c["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	c["aws:PrincipalAccount"] = []string{caller.Account}
	c["aws:PrincipalType"] = []string{principalType(caller.Kind)}
	switch caller.Kind {
	case principal.Root:
		c["aws:PrincipalArn"] = []string{rootARN(caller.Account)}
		c["aws:userid"] = []string{caller.Account}
	case principal.User:
		c["aws:PrincipalArn"] = []string{caller.ARN}
		c["aws:userid"] = []string{caller.UserID}
		c["aws:username"] = []string{caller.UserName}
	case principal.AssumedRole:
		// For a role session, aws:PrincipalArn is the role's ARN.
		c["aws:PrincipalArn"] = []string{caller.RoleARN}
		c["aws:userid"] = []string{caller.UserID}
	}
	for k, v := range caller.Tags {
		c["aws:PrincipalTag/"+k] = []string{v}
	}
	if len(in.Tags) > 0 {
		keys := make([]string, 0, len(requestTags))
		for k, v := range requestTags {
			c["aws:RequestTag/"+k] = []string{v}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c["aws:TagKeys"] = keys
	}
	if len(in.TransitiveTagKeys) > 0 {
		c["sts:TransitiveTagKeys"] = slices.Clone(in.TransitiveTagKeys)
	}
	c["sts:RoleSessionName"] = []string{awsapi.ToString(in.RoleSessionName)}
	if in.ExternalId != nil {
		c["sts:ExternalId"] = []string{*in.ExternalId}
	}
	if in.SourceIdentity != nil {
		c["sts:SourceIdentity"] = []string{*in.SourceIdentity}
	}
	if from != nil {
		c["aws:TokenIssueTime"] = []string{from.Issued.UTC().Format(time.RFC3339)}
		if from.SourceIdentity != "" {
			c["aws:SourceIdentity"] = []string{from.SourceIdentity}
		}
	}
	if ip := principal.RequestInfoFrom(ctx).SourceIP; ip != "" {
		c["aws:SourceIp"] = []string{ip}
	}
	return c
}

// principalType is the value of aws:PrincipalType.
func principalType(k principal.Kind) string {
	switch k {
	case principal.Root:
		return "Account"
	case principal.User:
		return "User"
	case principal.AssumedRole:
		return "AssumedRole"
	}
	return "Anonymous"
}
