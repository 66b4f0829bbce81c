package iamsvc

import (
	"context"
	"strings"
	"sync"

	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
)

// parseIdentityPolicy checks a managed or inline policy document:
// MalformedPolicyDocument for a bad one, LimitExceeded past the size quota
// of a managed policy.
func parseIdentityPolicy(doc string) (*policy.Document, error) {
	return parsed(policy.ParseWith(doc, policy.Options{Kind: policy.KindIdentity, MaxSize: policy.ManagedPolicySizeQuota}))
}

// parseTrustPolicy checks a role's trust policy.
func parseTrustPolicy(doc string) (*policy.Document, error) {
	if policy.Size(doc) > policy.TrustPolicySizeQuota {
		return nil, iamapi.NewLimitExceededExceptionf("Cannot exceed quota for ACLSizePerRole: %d", policy.TrustPolicySizeQuota)
	}
	return parsed(policy.ParseTrust(doc))
}

func parsed(d *policy.Document, err error) (*policy.Document, error) {
	if err == nil {
		return d, nil
	}
	if _, ok := awserr.As(err); ok {
		return nil, err
	}
	return nil, iamapi.NewMalformedPolicyDocumentException(err.Error())
}

// docCache keeps parsed documents by the stored value they came from, so
// that evaluating a caller's policies decodes no JSON once they are known.
// Keying on the value's bytes makes stale entries impossible: a changed
// policy is a different value.
type docCache struct {
	mu      sync.RWMutex
	inline  map[string]*policy.Document // iam.role-policy / iam.user-policy value → document
	managed map[string]*policy.Document // iam.policy value → default version's document
}

// maxCachedDocs bounds each map; a full map is emptied and refilled.
const maxCachedDocs = 4096

func (c *docCache) load(managed bool, value []byte, parse func() (*policy.Document, error)) (*policy.Document, error) {
	c.mu.RLock()
	m := c.inline
	if managed {
		m = c.managed
	}
	d, ok := m[string(value)]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := parse()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.inline == nil {
		c.inline, c.managed = map[string]*policy.Document{}, map[string]*policy.Document{}
	}
	m = c.inline
	if managed {
		m = c.managed
	}
	if len(m) >= maxCachedDocs {
		clear(m)
	}
	m[string(value)] = d
	c.mu.Unlock()
	return d, nil
}

func (s *Service) inlineDocument(o store.Object) (*policy.Document, error) {
	return s.docs.load(false, o.Value, func() (*policy.Document, error) {
		v, err := decode[inlineValue](o)
		if err != nil {
			return nil, err
		}
		return policy.Parse(v.Document)
	})
}

func (s *Service) managedDocument(o store.Object) (*policy.Document, error) {
	return s.docs.load(true, o.Value, func() (*policy.Document, error) {
		v, err := decode[policyValue](o)
		if err != nil {
			return nil, err
		}
		return policy.Parse(v.defaultDocument())
	})
}

// RolePolicies returns the permission policies of a role: its inline
// policies and the default versions of the managed policies attached to
// it. It returns store.ErrNotFound when there is no such role.
func (s *Service) RolePolicies(ctx context.Context, roleName string) ([]*policy.Document, error) {
	return s.entityPolicies(ctx, roleOwner, roleName)
}

// UserPolicies returns the permission policies of an IAM user, as
// RolePolicies does for roles.
func (s *Service) UserPolicies(ctx context.Context, userName string) ([]*policy.Document, error) {
	return s.entityPolicies(ctx, userOwner, userName)
}

func (s *Service) entityPolicies(ctx context.Context, w owner, name string) ([]*policy.Document, error) {
	key := nameKey(name)
	if _, err := s.Store.GetObject(ctx, w.kind, key); err != nil {
		return nil, err
	}
	prefix := key + "/"
	inline, err := all(ctx, s.Store, w.policyKind, prefix)
	if err != nil {
		return nil, err
	}
	attached, err := all(ctx, s.Store, w.attachKind, prefix)
	if err != nil {
		return nil, err
	}
	docs := make([]*policy.Document, 0, len(inline)+len(attached))
	for _, o := range inline {
		d, err := s.inlineDocument(o)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	for _, o := range attached {
		arn := strings.TrimPrefix(o.Key, prefix)
		if m, ok := policy.AWSManaged(arn); ok {
			docs = append(docs, m.Parsed)
			continue
		}
		p, err := s.Store.GetObject(ctx, kindPolicy, arn)
		if err != nil {
			return nil, err // a policy is not deleted while attached
		}
		d, err := s.managedDocument(p)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}
