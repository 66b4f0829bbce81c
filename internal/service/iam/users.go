package iamsvc

import (
	"context"
	"errors"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/store"
)

// userValue is the stored form of an IAM user (kind iam.user).
type userValue struct {
	Name      string    `json:"name"`
	ID        string    `json:"id"`
	ARN       string    `json:"arn"`
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"createdAt"`
	Tags      []tag     `json:"tags,omitempty"`
	// AccessKeys are the ids of the user's access keys, oldest first.
	AccessKeys []string `json:"accessKeys,omitempty"`
}

func userNotFound(name string) func() error { return userOwner.notFound(name) }

func (u *userValue) api() *iamapi.User {
	return &iamapi.User{
		Path:       awsapi.String(u.Path),
		UserName:   awsapi.String(u.Name),
		UserId:     awsapi.String(u.ID),
		Arn:        awsapi.String(u.ARN),
		CreateDate: awsapi.Time(u.CreatedAt),
		Tags:       apiTags(u.Tags),
	}
}

func (s *Service) user(ctx context.Context, tx store.ObjectTx, name string) (*userValue, error) {
	u, _, err := get[userValue](ctx, tx, kindUser, nameKey(name), userNotFound(name))
	return u, err
}

// callerUserName is the user an operation is about: the one named, or else
// the IAM user calling.
func callerUserName(ctx context.Context, name *string) (string, error) {
	if name != nil && *name != "" {
		return *name, nil
	}
	p := principal.From(ctx)
	if p.Kind == principal.User && p.UserName != "" {
		return p.UserName, nil
	}
	return "", awserr.New("ValidationError", "Must specify userName when calling with non-User credentials")
}

// CreateUser makes an IAM user.
func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserInput) (*iamapi.CreateUserOutput, error) {
	name := awsapi.ToString(in.UserName)
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	path := defaultPath(in.Path)
	u := &userValue{Name: name, ID: newUserID(), ARN: s.userARN(path, name), Path: path, CreatedAt: s.now(), Tags: tags}
	if err := s.Store.CreateObject(ctx, object(kindUser, nameKey(name), u)); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, iamapi.NewEntityAlreadyExistsExceptionf("User with name %s already exists.", name)
		}
		return nil, err
	}
	return &iamapi.CreateUserOutput{User: u.api()}, nil
}

// GetUser describes a user; without a name, the caller (for the account
// root: its ARN and account id, as AWS answers).
func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserInput) (*iamapi.GetUserOutput, error) {
	if awsapi.ToString(in.UserName) == "" {
		if p := principal.From(ctx); p.Kind == principal.Root {
			return &iamapi.GetUserOutput{User: &iamapi.User{
				UserId:     awsapi.String(s.Account),
				Arn:        awsapi.String("arn:aws:iam::" + s.Account + ":root"),
				CreateDate: awsapi.Time(s.RootCreateDate),
			}}, nil
		}
	}
	name, err := callerUserName(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	u, err := s.user(ctx, s.Store, name)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserOutput{User: u.api()}, nil
}

// ListUsers lists users by name, optionally under a path prefix (without
// tags, as AWS).
func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersInput) (*iamapi.ListUsersOutput, error) {
	under := pathPrefix(in.PathPrefix)
	users, next, err := page(ctx, s.Store, kindUser, "", in.Marker, in.MaxItems, func(o store.Object) (iamapi.User, bool, error) {
		u, err := decode[userValue](o)
		if err != nil || !under(u.Path) {
			return iamapi.User{}, false, err
		}
		a := u.api()
		a.Tags = nil
		return *a, true, nil
	})
	if err != nil {
		return nil, err
	}
	if users == nil {
		users = []iamapi.User{}
	}
	return &iamapi.ListUsersOutput{Users: users, IsTruncated: truncated(next), Marker: next}, nil
}

// DeleteUser deletes a user that has no access keys or policies left.
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserInput) (*awsapi.Empty, error) {
	name := awsapi.ToString(in.UserName)
	key := nameKey(name)
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		u, err := s.user(ctx, tx, name)
		if err != nil {
			return err
		}
		if len(u.AccessKeys) > 0 {
			return iamapi.NewDeleteConflictException("Cannot delete entity, must delete access keys first.")
		}
		if ok, err := exists(ctx, tx, kindUserPolicy, key+"/"); err != nil || ok {
			if err == nil {
				err = iamapi.NewDeleteConflictException("Cannot delete entity, must delete policies first.")
			}
			return err
		}
		if ok, err := exists(ctx, tx, kindUserAttachment, key+"/"); err != nil || ok {
			if err == nil {
				err = iamapi.NewDeleteConflictException("Cannot delete entity, must detach all policies first.")
			}
			return err
		}
		return tx.DeleteObject(ctx, kindUser, key)
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// updateUser changes a user in one transaction.
func (s *Service) updateUser(ctx context.Context, name string, change func(*userValue) error) (*userValue, error) {
	var u *userValue
	_, err := s.Store.UpdateObject(ctx, kindUser, nameKey(name), func(o store.Object) (store.Object, error) {
		v, err := decode[userValue](o)
		if err != nil {
			return o, err
		}
		if err := change(v); err != nil {
			return o, err
		}
		u = v
		o.Value = object(kindUser, o.Key, v).Value
		return o, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound(name)()
	}
	return u, err
}

// TagUser adds or replaces tags of a user.
func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserInput) (*awsapi.Empty, error) {
	_, err := s.updateUser(ctx, awsapi.ToString(in.UserName), func(u *userValue) (err error) {
		u.Tags, err = mergeTags(u.Tags, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// UntagUser removes tags of a user.
func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserInput) (*awsapi.Empty, error) {
	_, err := s.updateUser(ctx, awsapi.ToString(in.UserName), func(u *userValue) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsInput) (*iamapi.ListUserTagsOutput, error) {
	u, err := s.user(ctx, s.Store, awsapi.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageIndex(len(u.Tags), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	tags := apiTags(u.Tags[start:end])
	if tags == nil {
		tags = []iamapi.Tag{}
	}
	return &iamapi.ListUserTagsOutput{Tags: tags, IsTruncated: truncated(next), Marker: next}, nil
}
