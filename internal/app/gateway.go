package app

import (
	"context"
	"strings"

	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
	iamsvc "github.com/ninsho/ninsho/internal/service/iam"
)

// principalPolicies gives the policies of a caller: its identity-based
// policies (an IAM user's, or a role session's role's) and its session
// policy (nil when none). The AWS APIs' authorizer and the gateway's IAM
// authorizer both use it.
type principalPolicies struct{ iam *iamsvc.Service }

func (g principalPolicies) For(ctx context.Context, p *principal.Principal) ([]*policy.Document, *policy.Document, error) {
	var docs []*policy.Document
	var err error
	switch p.Kind {
	case principal.User:
		docs, err = g.iam.UserPolicies(ctx, p.UserName)
	case principal.AssumedRole:
		docs, err = g.iam.RolePolicies(ctx, p.RoleName)
	}
	if err != nil {
		return nil, nil, err
	}
	var session *policy.Document
	if p.SessionPolicy != "" {
		if session, err = policy.ParseIdentity(p.SessionPolicy); err != nil {
			return nil, nil, err
		}
	}
	return docs, session, nil
}

// localIssuers maps the issuer of a local user pool's tokens to the pool
// (the key scope): <issuer base>/<poolId>.
func localIssuers(issuerBase string) func(iss string) (string, bool) {
	return func(iss string) (string, bool) {
		pool, ok := strings.CutPrefix(iss, issuerBase+"/")
		if !ok || pool == "" || strings.Contains(pool, "/") || pool == "cognito-identity" {
			return "", false
		}
		return pool, true
	}
}
