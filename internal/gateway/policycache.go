package gateway

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/principal"
)

// policyTTL is how long a caller's policies are reused by AWS_IAM routes.
// IAM changes are eventually consistent in AWS too ("changes ... take time
// to become visible", IAM user guide, Troubleshooting IAM); within a second
// here. Credentials are still looked up on every request, so a revoked or
// expired session is refused at once.
const policyTTL = time.Second

const maxPolicyEntries = 10000

// policyCache keeps Policies.For answers per caller for policyTTL.
type policyCache struct {
	mu sync.Mutex
	m  map[string]policyEntry
}

type policyEntry struct {
	docs    []*policy.Document
	session *policy.Document
	until   time.Time
}

// policyKey names what Policies.For reads of a principal.
func policyKey(p *principal.Principal) string {
	return strconv.Itoa(int(p.Kind)) + "\x00" + p.UserName + "\x00" + p.RoleName + "\x00" + p.ARN + "\x00" + p.SessionPolicy
}

func (g *Gateway) policiesFor(ctx context.Context, p *principal.Principal) ([]*policy.Document, *policy.Document, error) {
	now := g.now()
	key := policyKey(p)
	c := &g.policies
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.docs, e.session, nil
	}
	docs, session, err := g.Policies.For(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPolicyEntries {
		c.m = make(map[string]policyEntry)
	}
	c.m[key] = policyEntry{docs: docs, session: session, until: now.Add(policyTTL)}
	c.mu.Unlock()
	return docs, session, nil
}
