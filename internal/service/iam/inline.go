package iamsvc

import (
	"context"
	"errors"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
)

// inlineValue is the stored form of an inline policy (kinds iam.role-policy
// and iam.user-policy).
type inlineValue struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// owner is what inline policies and attachments belong to: a role or a user.
type owner struct {
	entity     string // "role" or "user", as AWS words its messages
	kind       string // kindRole or kindUser
	policyKind string // kindRolePolicy or kindUserPolicy
	attachKind string // kindRoleAttachment or kindUserAttachment
	// inlineQuota is the size quota of all its inline policies together.
	inlineQuota int
}

var (
	roleOwner = owner{entity: "role", kind: kindRole, policyKind: kindRolePolicy, attachKind: kindRoleAttachment, inlineQuota: policy.InlineRolePolicySizeQuota}
	userOwner = owner{entity: "user", kind: kindUser, policyKind: kindUserPolicy, attachKind: kindUserAttachment, inlineQuota: policy.InlineUserPolicySizeQuota}
)

func (w owner) notFound(name string) func() error {
	return func() error {
		return iamapi.NewNoSuchEntityExceptionf("The %s with name %s cannot be found.", w.entity, name)
	}
}

func (w owner) policyNotFound(name string) error {
	return iamapi.NewNoSuchEntityExceptionf("The %s policy with name %s cannot be found.", w.entity, name)
}

// entityValue is what inline-policy and attachment operations read of a
// role or a user.
type entityValue struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	Path string `json:"path"`
}

func (w owner) get(ctx context.Context, tx store.ObjectTx, name string) (*entityValue, error) {
	v, _, err := get[entityValue](ctx, tx, w.kind, nameKey(name), w.notFound(name))
	return v, err
}

func (s *Service) putInline(ctx context.Context, w owner, name, policyName, doc string) error {
	if _, err := parsed(policy.ParseIdentity(doc)); err != nil {
		return err
	}
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		e, err := w.get(ctx, tx, name)
		if err != nil {
			return err
		}
		// The quota is on all of an entity's inline policies together.
		others, err := all(ctx, tx, w.policyKind, nameKey(name)+"/")
		if err != nil {
			return err
		}
		size := policy.Size(doc)
		for _, o := range others {
			if o.Key == nameKey(name)+"/"+policyName {
				continue
			}
			p, err := decode[inlineValue](o)
			if err != nil {
				return err
			}
			size += policy.Size(p.Document)
		}
		if size > w.inlineQuota {
			return iamapi.NewLimitExceededExceptionf("Maximum policy size of %d bytes exceeded for %s %s", w.inlineQuota, w.entity, e.Name)
		}
		return tx.PutObject(ctx, object(w.policyKind, nameKey(name)+"/"+policyName, &inlineValue{Name: policyName, Document: doc}))
	})
}

func (s *Service) getInline(ctx context.Context, w owner, name, policyName string) (*entityValue, *inlineValue, error) {
	e, err := w.get(ctx, s.Store, name)
	if err != nil {
		return nil, nil, err
	}
	p, _, err := get[inlineValue](ctx, s.Store, w.policyKind, nameKey(name)+"/"+policyName, func() error { return w.policyNotFound(policyName) })
	if err != nil {
		return nil, nil, err
	}
	return e, p, nil
}

func (s *Service) listInline(ctx context.Context, w owner, name string, marker *string, max *int32) ([]string, *string, error) {
	if _, err := w.get(ctx, s.Store, name); err != nil {
		return nil, nil, err
	}
	names, next, err := page(ctx, s.Store, w.policyKind, nameKey(name)+"/", marker, max, func(o store.Object) (string, bool, error) {
		return o.Key[len(nameKey(name))+1:], true, nil
	})
	if names == nil {
		names = []string{}
	}
	return names, next, err
}

func (s *Service) deleteInline(ctx context.Context, w owner, name, policyName string) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if _, err := w.get(ctx, tx, name); err != nil {
			return err
		}
		err := tx.DeleteObject(ctx, w.policyKind, nameKey(name)+"/"+policyName)
		if errors.Is(err, store.ErrNotFound) {
			return w.policyNotFound(policyName)
		}
		return err
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyInput) (*awsapi.Empty, error) {
	if err := s.putInline(ctx, roleOwner, awsapi.ToString(in.RoleName), awsapi.ToString(in.PolicyName), awsapi.ToString(in.PolicyDocument)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// GetRolePolicy returns an inline policy of a role, its document
// URL-encoded as AWS returns it.
func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyInput) (*iamapi.GetRolePolicyOutput, error) {
	e, p, err := s.getInline(ctx, roleOwner, awsapi.ToString(in.RoleName), awsapi.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyOutput{RoleName: awsapi.String(e.Name), PolicyName: awsapi.String(p.Name), PolicyDocument: awsapi.String(escapeDocument(p.Document))}, nil
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesInput) (*iamapi.ListRolePoliciesOutput, error) {
	names, next, err := s.listInline(ctx, roleOwner, awsapi.ToString(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesOutput{PolicyNames: names, IsTruncated: truncated(next), Marker: next}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyInput) (*awsapi.Empty, error) {
	if err := s.deleteInline(ctx, roleOwner, awsapi.ToString(in.RoleName), awsapi.ToString(in.PolicyName)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyInput) (*awsapi.Empty, error) {
	if err := s.putInline(ctx, userOwner, awsapi.ToString(in.UserName), awsapi.ToString(in.PolicyName), awsapi.ToString(in.PolicyDocument)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// GetUserPolicy returns an inline policy of a user, URL-encoded.
func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyInput) (*iamapi.GetUserPolicyOutput, error) {
	e, p, err := s.getInline(ctx, userOwner, awsapi.ToString(in.UserName), awsapi.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyOutput{UserName: awsapi.String(e.Name), PolicyName: awsapi.String(p.Name), PolicyDocument: awsapi.String(escapeDocument(p.Document))}, nil
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesInput) (*iamapi.ListUserPoliciesOutput, error) {
	names, next, err := s.listInline(ctx, userOwner, awsapi.ToString(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesOutput{PolicyNames: names, IsTruncated: truncated(next), Marker: next}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyInput) (*awsapi.Empty, error) {
	if err := s.deleteInline(ctx, userOwner, awsapi.ToString(in.UserName), awsapi.ToString(in.PolicyName)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
