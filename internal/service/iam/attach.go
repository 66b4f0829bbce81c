package iamsvc

import (
	"context"
	"errors"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
)

// attachmentValue is the stored form of a managed policy attached to a role
// or user (kinds iam.role-attachment, iam.user-attachment).
type attachmentValue struct {
	PolicyARN  string `json:"policyArn"`
	PolicyName string `json:"policyName"`
	PolicyPath string `json:"policyPath"`
}

// policyEntityValue is the reverse of an attachment (kind
// iam.policy-entity): which roles and users a policy is attached to.
type policyEntityValue struct {
	PolicyARN string `json:"policyArn"`
	Type      string `json:"type"` // "role" or "user"
	Name      string `json:"name"`
	ID        string `json:"id"`
	Path      string `json:"path"`
}

// maxAttachments is AWS's default quota of managed policies per role and
// per user.
const maxAttachments = 10

func policyEntityKey(arn string, w owner, name string) string {
	return arn + " " + w.entity + "/" + nameKey(name)
}

func (s *Service) attach(ctx context.Context, w owner, name, arn string) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		e, err := w.get(ctx, tx, name)
		if err != nil {
			return err
		}
		a := &attachmentValue{PolicyARN: arn}
		if m, ok := policy.AWSManaged(arn); ok {
			a.PolicyName, a.PolicyPath = m.Name, m.Path
		} else {
			p, _, err := get[policyValue](ctx, tx, kindPolicy, arn, func() error { return policyNotAttachable(arn) })
			if err != nil {
				return err
			}
			a.PolicyName, a.PolicyPath = p.Name, p.Path
		}
		key := nameKey(name) + "/" + arn
		if _, err := tx.GetObject(ctx, w.attachKind, key); err == nil {
			return nil // attaching twice changes nothing, as on AWS
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		n, err := count(ctx, tx, w.attachKind, nameKey(name)+"/")
		if err != nil {
			return err
		}
		if n >= maxAttachments {
			quota := "PoliciesPerRole"
			if w.entity == "user" {
				quota = "PoliciesPerUser"
			}
			return iamapi.NewLimitExceededExceptionf("Cannot exceed quota for %s: %d", quota, maxAttachments)
		}
		if err := tx.CreateObject(ctx, object(w.attachKind, key, a)); err != nil {
			return err
		}
		return tx.PutObject(ctx, object(kindPolicyEntity, policyEntityKey(arn, w, name), &policyEntityValue{
			PolicyARN: arn, Type: w.entity, Name: e.Name, ID: e.ID, Path: e.Path,
		}))
	})
}

func (s *Service) detach(ctx context.Context, w owner, name, arn string) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if _, err := w.get(ctx, tx, name); err != nil {
			return err
		}
		if err := tx.DeleteObject(ctx, w.attachKind, nameKey(name)+"/"+arn); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return policyNotFound(arn)
			}
			return err
		}
		if err := tx.DeleteObject(ctx, kindPolicyEntity, policyEntityKey(arn, w, name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
}

func (s *Service) listAttached(ctx context.Context, w owner, name string, prefix, marker *string, max *int32) ([]iamapi.AttachedPolicy, *string, error) {
	if _, err := w.get(ctx, s.Store, name); err != nil {
		return nil, nil, err
	}
	under := pathPrefix(prefix)
	out, next, err := page(ctx, s.Store, w.attachKind, nameKey(name)+"/", marker, max, func(o store.Object) (iamapi.AttachedPolicy, bool, error) {
		a, err := decode[attachmentValue](o)
		if err != nil || !under(a.PolicyPath) {
			return iamapi.AttachedPolicy{}, false, err
		}
		return iamapi.AttachedPolicy{PolicyName: awsapi.String(a.PolicyName), PolicyArn: awsapi.String(a.PolicyARN)}, true, nil
	})
	if out == nil {
		out = []iamapi.AttachedPolicy{}
	}
	return out, next, err
}

// AttachRolePolicy attaches an AWS or customer managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyInput) (*awsapi.Empty, error) {
	if err := s.attach(ctx, roleOwner, awsapi.ToString(in.RoleName), awsapi.ToString(in.PolicyArn)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyInput) (*awsapi.Empty, error) {
	if err := s.detach(ctx, roleOwner, awsapi.ToString(in.RoleName), awsapi.ToString(in.PolicyArn)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesInput) (*iamapi.ListAttachedRolePoliciesOutput, error) {
	out, next, err := s.listAttached(ctx, roleOwner, awsapi.ToString(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesOutput{AttachedPolicies: out, IsTruncated: truncated(next), Marker: next}, nil
}

// AttachUserPolicy attaches an AWS or customer managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyInput) (*awsapi.Empty, error) {
	if err := s.attach(ctx, userOwner, awsapi.ToString(in.UserName), awsapi.ToString(in.PolicyArn)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyInput) (*awsapi.Empty, error) {
	if err := s.detach(ctx, userOwner, awsapi.ToString(in.UserName), awsapi.ToString(in.PolicyArn)); err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesInput) (*iamapi.ListAttachedUserPoliciesOutput, error) {
	out, next, err := s.listAttached(ctx, userOwner, awsapi.ToString(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesOutput{AttachedPolicies: out, IsTruncated: truncated(next), Marker: next}, nil
}

// ListEntitiesForPolicy lists the roles and users a managed policy is
// attached to (there are no groups here).
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyInput) (*iamapi.ListEntitiesForPolicyOutput, error) {
	arn := awsapi.ToString(in.PolicyArn)
	if _, err := anyPolicy(ctx, s.Store, arn); err != nil {
		return nil, err
	}
	filter := awsapi.ToString(in.EntityFilter)
	under := pathPrefix(in.PathPrefix)
	ents, next, err := page(ctx, s.Store, kindPolicyEntity, arn+" ", in.Marker, in.MaxItems, func(o store.Object) (*policyEntityValue, bool, error) {
		e, err := decode[policyEntityValue](o)
		if err != nil {
			return nil, false, err
		}
		switch {
		case e.PolicyARN != arn, !under(e.Path),
			filter == "Role" && e.Type != "role",
			filter == "User" && e.Type != "user",
			filter == "Group":
			return nil, false, nil
		}
		return e, true, nil
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListEntitiesForPolicyOutput{
		PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{}, PolicyRoles: []iamapi.PolicyRole{},
		IsTruncated: truncated(next), Marker: next,
	}
	for _, e := range ents {
		if e.Type == "role" {
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: awsapi.String(e.Name), RoleId: awsapi.String(e.ID)})
		} else {
			out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: awsapi.String(e.Name), UserId: awsapi.String(e.ID)})
		}
	}
	return out, nil
}
