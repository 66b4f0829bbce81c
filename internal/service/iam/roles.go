package iamsvc

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store"
)

// roleValue is the stored form of a role (kind iam.role).
type roleValue struct {
	Name               string    `json:"name"`
	ID                 string    `json:"id"`
	ARN                string    `json:"arn"`
	Path               string    `json:"path"`
	Description        string    `json:"description,omitempty"`
	TrustPolicy        string    `json:"trustPolicy"`
	MaxSessionDuration int32     `json:"maxSessionDuration"`
	CreatedAt          time.Time `json:"createdAt"`
	Tags               []tag     `json:"tags,omitempty"`
}

// Role is a role as other services need it.
type Role struct {
	Name, ID, ARN, Path, Description string
	// TrustPolicy is the role's trust (assume-role) policy document, as
	// given.
	TrustPolicy        string
	MaxSessionDuration int32 // seconds
	CreatedAt          time.Time
	Tags               map[string]string
}

const (
	defaultSessionDuration = 3600
	maxSessionDuration     = 43200
)

func roleNotFound(name string) func() error {
	return func() error { return iamapi.NewNoSuchEntityExceptionf("The role with name %s cannot be found.", name) }
}

func (r *roleValue) api() *iamapi.Role {
	out := &iamapi.Role{
		Path:                     awsapi.String(r.Path),
		RoleName:                 awsapi.String(r.Name),
		RoleId:                   awsapi.String(r.ID),
		Arn:                      awsapi.String(r.ARN),
		CreateDate:               awsapi.Time(r.CreatedAt),
		AssumeRolePolicyDocument: awsapi.String(escapeDocument(r.TrustPolicy)),
		MaxSessionDuration:       awsapi.Int32(r.MaxSessionDuration),
		Tags:                     apiTags(r.Tags),
	}
	if r.Description != "" {
		out.Description = awsapi.String(r.Description)
	}
	return out
}

func (r *roleValue) exported() *Role {
	return &Role{
		Name: r.Name, ID: r.ID, ARN: r.ARN, Path: r.Path, Description: r.Description,
		TrustPolicy: r.TrustPolicy, MaxSessionDuration: r.MaxSessionDuration,
		CreatedAt: r.CreatedAt, Tags: tagMap(r.Tags),
	}
}

func checkSessionDuration(d int32) error {
	if d < defaultSessionDuration {
		return awserr.Newf("ValidationError", "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to %d", d, defaultSessionDuration)
	}
	if d > maxSessionDuration {
		return awserr.Newf("ValidationError", "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to %d", d, maxSessionDuration)
	}
	return nil
}

// CreateRole makes a role with a trust policy.
func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleInput) (*iamapi.CreateRoleOutput, error) {
	name := awsapi.ToString(in.RoleName)
	trust := awsapi.ToString(in.AssumeRolePolicyDocument)
	if _, err := parseTrustPolicy(trust); err != nil {
		return nil, err
	}
	d := int32(defaultSessionDuration)
	if in.MaxSessionDuration != nil {
		d = *in.MaxSessionDuration
		if err := checkSessionDuration(d); err != nil {
			return nil, err
		}
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	path := defaultPath(in.Path)
	r := &roleValue{
		Name: name, ID: newRoleID(), ARN: s.roleARN(path, name), Path: path,
		Description: awsapi.ToString(in.Description), TrustPolicy: trust,
		MaxSessionDuration: d, CreatedAt: s.now(), Tags: tags,
	}
	if err := s.Store.CreateObject(ctx, object(kindRole, nameKey(name), r)); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, iamapi.NewEntityAlreadyExistsExceptionf("Role with name %s already exists.", name)
		}
		return nil, err
	}
	return &iamapi.CreateRoleOutput{Role: r.api()}, nil
}

func (s *Service) role(ctx context.Context, tx store.ObjectTx, name string) (*roleValue, error) {
	r, _, err := get[roleValue](ctx, tx, kindRole, nameKey(name), roleNotFound(name))
	return r, err
}

// updateRole changes a role in one transaction.
func (s *Service) updateRole(ctx context.Context, name string, change func(*roleValue) error) (*roleValue, error) {
	var r *roleValue
	_, err := s.Store.UpdateObject(ctx, kindRole, nameKey(name), func(o store.Object) (store.Object, error) {
		v, err := decode[roleValue](o)
		if err != nil {
			return o, err
		}
		if err := change(v); err != nil {
			return o, err
		}
		r = v
		n := object(kindRole, o.Key, v)
		o.Value = n.Value
		return o, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, roleNotFound(name)()
	}
	return r, err
}

// GetRole describes a role.
func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleInput) (*iamapi.GetRoleOutput, error) {
	r, err := s.role(ctx, s.Store, awsapi.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	out := r.api()
	out.RoleLastUsed = &iamapi.RoleLastUsed{} // AWS answers {} for a role never used
	return &iamapi.GetRoleOutput{Role: out}, nil
}

// ListRoles lists roles by name, optionally under a path prefix. As on AWS,
// the listing leaves out tags.
func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesInput) (*iamapi.ListRolesOutput, error) {
	under := pathPrefix(in.PathPrefix)
	roles, next, err := page(ctx, s.Store, kindRole, "", in.Marker, in.MaxItems, func(o store.Object) (iamapi.Role, bool, error) {
		r, err := decode[roleValue](o)
		if err != nil || !under(r.Path) {
			return iamapi.Role{}, false, err
		}
		a := r.api()
		a.Tags = nil
		return *a, true, nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolesOutput{Roles: roles, IsTruncated: truncated(next), Marker: next}, nil
}

// UpdateRole changes a role's description and longest session.
func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleInput) (*iamapi.UpdateRoleOutput, error) {
	if in.MaxSessionDuration != nil {
		if err := checkSessionDuration(*in.MaxSessionDuration); err != nil {
			return nil, err
		}
	}
	_, err := s.updateRole(ctx, awsapi.ToString(in.RoleName), func(r *roleValue) error {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleOutput{}, nil
}

// UpdateRoleDescription is the older form of UpdateRole.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionInput) (*iamapi.UpdateRoleDescriptionOutput, error) {
	r, err := s.updateRole(ctx, awsapi.ToString(in.RoleName), func(r *roleValue) error {
		r.Description = awsapi.ToString(in.Description)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleDescriptionOutput{Role: r.api()}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyInput) (*awsapi.Empty, error) {
	doc := awsapi.ToString(in.PolicyDocument)
	if _, err := parseTrustPolicy(doc); err != nil {
		return nil, err
	}
	_, err := s.updateRole(ctx, awsapi.ToString(in.RoleName), func(r *roleValue) error {
		r.TrustPolicy = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleInput) (*awsapi.Empty, error) {
	name := awsapi.ToString(in.RoleName)
	key := nameKey(name)
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if _, err := s.role(ctx, tx, name); err != nil {
			return err
		}
		if ok, err := exists(ctx, tx, kindRolePolicy, key+"/"); err != nil || ok {
			if err == nil {
				err = iamapi.NewDeleteConflictException("Cannot delete entity, must delete policies first.")
			}
			return err
		}
		if ok, err := exists(ctx, tx, kindRoleAttachment, key+"/"); err != nil || ok {
			if err == nil {
				err = iamapi.NewDeleteConflictException("Cannot delete entity, must detach all policies first.")
			}
			return err
		}
		return tx.DeleteObject(ctx, kindRole, key)
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// TagRole adds or replaces tags of a role.
func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleInput) (*awsapi.Empty, error) {
	_, err := s.updateRole(ctx, awsapi.ToString(in.RoleName), func(r *roleValue) (err error) {
		r.Tags, err = mergeTags(r.Tags, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// UntagRole removes tags of a role (absent keys are no error).
func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleInput) (*awsapi.Empty, error) {
	_, err := s.updateRole(ctx, awsapi.ToString(in.RoleName), func(r *roleValue) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsInput) (*iamapi.ListRoleTagsOutput, error) {
	r, err := s.role(ctx, s.Store, awsapi.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageIndex(len(r.Tags), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	tags := apiTags(r.Tags[start:end])
	if tags == nil {
		tags = []iamapi.Tag{}
	}
	return &iamapi.ListRoleTagsOutput{Tags: tags, IsTruncated: truncated(next), Marker: next}, nil
}

// RoleByARN returns the role with this ARN, or store.ErrNotFound.
func (s *Service) RoleByARN(ctx context.Context, arn string) (*Role, error) {
	prefix := "arn:aws:iam::" + s.Account + ":role/"
	if !strings.HasPrefix(arn, prefix) {
		return nil, store.ErrNotFound
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	r, _, err := get[roleValue](ctx, s.Store, kindRole, nameKey(name), nil)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(r.ARN, arn) {
		return nil, store.ErrNotFound
	}
	return r.exported(), nil
}
