package gateway

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

// maxSignedBody is API Gateway's payload limit; IAM routes read the body
// to check its hash.
const maxSignedBody = 10 << 20

func msgBody(msg string) string { return `{"message":` + strconv.Quote(msg) + `}` }

// authorizeIAM checks a SigV4 signature (service execute-api) and that the
// caller's policies allow execute-api:Invoke on the route's ARN. It returns
// 0 when allowed, else the status and JSON body.
func (g *Gateway) authorizeIAM(rs *reqState) (int, string) {
	r := rs.in
	if r.Header.Get("Authorization") == "" && r.URL.Query().Get("X-Amz-Algorithm") == "" {
		return http.StatusForbidden, msgBody("Missing Authentication Token")
	}
	if g.SigV4 == nil {
		return http.StatusForbidden, msgBody("Missing Authentication Token")
	}
	body, ok, err := readBody(r, maxSignedBody)
	if err != nil {
		return http.StatusBadRequest, msgBody("Bad Request")
	}
	if !ok {
		return http.StatusRequestEntityTooLarge, msgBody("Request Too Long")
	}
	res, err := g.SigV4.VerifyService(r.Context(), r, body, "execute-api")
	if err != nil {
		rs.authErr = err.Error()
		var se *sigv4.Error
		if !errors.As(err, &se) {
			g.logError(rs, "sigv4 lookup", err)
			return http.StatusInternalServerError, msgBody("Internal Server Error")
		}
		switch se.Kind {
		case sigv4.KindMissing:
			return http.StatusForbidden, msgBody("Missing Authentication Token")
		case sigv4.KindUnknownKey:
			return http.StatusForbidden, msgBody("The security token included in the request is invalid.")
		case sigv4.KindExpiredCredential:
			return http.StatusForbidden, msgBody("The security token included in the request is expired")
		}
		if ae, ok := awserr.As(err); ok {
			return http.StatusForbidden, msgBody(ae.Message)
		}
		return http.StatusForbidden, msgBody(err.Error())
	}
	p, _ := res.Credential.Principal.(*principal.Principal)
	if p == nil {
		return http.StatusForbidden, msgBody("The security token included in the request is invalid.")
	}
	rs.principal = p
	resource := g.invokeARN(rs)
	if p.Kind == principal.Root {
		return 0, ""
	}
	if g.Policies == nil {
		return http.StatusForbidden, notAuthorized(p.ARN, resource, false)
	}
	docs, session, err := g.policiesFor(r.Context(), p)
	if err != nil {
		g.logError(rs, "policies", err)
		return http.StatusInternalServerError, msgBody("Internal Server Error")
	}
	req := &policy.Request{Action: "execute-api:Invoke", Resource: resource, Context: g.conditionKeys(rs, p)}
	d := policy.Evaluate(req, docs...)
	if session != nil && d != policy.ExplicitDeny {
		if ds := policy.Evaluate(req, session); ds != policy.Allow {
			d = ds
		}
	}
	if d != policy.Allow {
		rs.authErr = "not authorized"
		return http.StatusForbidden, notAuthorized(p.ARN, resource, d == policy.ExplicitDeny)
	}
	return 0, ""
}

func notAuthorized(who, resource string, explicit bool) string {
	msg := "User: " + who + " is not authorized to perform: execute-api:Invoke on resource: " + resource
	if explicit {
		msg += " with an explicit deny"
	}
	return msgBody(msg)
}

// invokeARN is arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>.
func (g *Gateway) invokeARN(rs *reqState) string {
	path := strings.TrimPrefix(unescape(rs.path), "/")
	return "arn:aws:execute-api:" + g.Region + ":" + g.Account + ":" + rs.api.id + "/" + rs.stage.name + "/" + rs.in.Method + "/" + path
}

// conditionKeys are the global condition keys of an execute-api request.
func (g *Gateway) conditionKeys(rs *reqState, p *principal.Principal) map[string][]string {
	c := make(map[string][]string, len(p.Context)+len(p.Tags)+6)
	for k, v := range p.Context {
		c[k] = v
	}
	for k, v := range p.Tags {
		c["aws:PrincipalTag/"+k] = []string{v}
	}
	c["aws:SourceIp"] = []string{rs.sourceIP}
	c["aws:PrincipalArn"] = []string{p.ARN}
	c["aws:PrincipalAccount"] = []string{p.Account}
	c["aws:userid"] = []string{p.UserID}
	if p.UserName != "" {
		c["aws:username"] = []string{p.UserName}
	}
	c["aws:SecureTransport"] = []string{strconv.FormatBool(rs.in.TLS != nil)}
	if p.RoleARN != "" {
		c["aws:PrincipalArn"] = []string{p.RoleARN}
	}
	return c
}
