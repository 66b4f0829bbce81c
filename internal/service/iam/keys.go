package iamsvc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/store"
)

// accessKeyValue is the stored form of an access key (kind iam.access-key).
type accessKeyValue struct {
	ID string `json:"id"`
	// Secret is the secret access key in clear, or empty when the key is
	// sealed under the master key (SealedSecret, bound to the key id).
	Secret       string    `json:"secret,omitempty"`
	SealedSecret []byte    `json:"sealedSecret,omitempty"`
	UserName     string    `json:"userName"`
	UserID       string    `json:"userId"`
	UserARN      string    `json:"userArn"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"createdAt"`
	LastUsed     *lastUsed `json:"lastUsed,omitempty"`
}

type lastUsed struct {
	Date    time.Time `json:"date"`
	Service string    `json:"service"`
	Region  string    `json:"region"`
}

// AccessKey is an access key as the SigV4 layer needs it.
type AccessKey struct {
	ID, Secret string
	// UserName, UserID and UserARN name the IAM user owning the key.
	UserName, UserID, UserARN string
	Status                    string // "Active" or "Inactive"
	CreatedAt                 time.Time
}

const maxAccessKeys = 2

// lastUsedEvery is how often NoteAccessKeyUsed writes, at most, per key.
const lastUsedEvery = time.Minute

func accessKeyNotFound(id string) error {
	return iamapi.NewNoSuchEntityExceptionf("The Access Key with id %s cannot be found.", id)
}

func (k *accessKeyValue) metadata() iamapi.AccessKeyMetadata {
	return iamapi.AccessKeyMetadata{
		UserName:    awsapi.String(k.UserName),
		AccessKeyId: awsapi.String(k.ID),
		Status:      awsapi.String(k.Status),
		CreateDate:  awsapi.Time(k.CreatedAt),
	}
}

// CreateAccessKey makes an access key for a user (without a name: for the
// calling user); a user has at most two.
func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyInput) (*iamapi.CreateAccessKeyOutput, error) {
	name, err := callerUserName(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	var k *accessKeyValue
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		u, err := s.user(ctx, tx, name)
		if err != nil {
			return err
		}
		if len(u.AccessKeys) >= maxAccessKeys {
			return iamapi.NewLimitExceededExceptionf("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		k = &accessKeyValue{
			ID: newAccessKeyID(), Secret: newSecretAccessKey(),
			UserName: u.Name, UserID: u.ID, UserARN: u.ARN,
			Status: "Active", CreatedAt: s.now(),
		}
		stored := *k
		if s.Secrets != nil {
			stored.SealedSecret, stored.Secret = s.Secrets.Seal([]byte(k.Secret), accessKeyAAD(k.ID)), ""
		}
		if err := tx.CreateObject(ctx, object(kindAccessKey, k.ID, &stored)); err != nil {
			return err
		}
		u.AccessKeys = append(u.AccessKeys, k.ID)
		return tx.PutObject(ctx, object(kindUser, nameKey(name), u))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccessKeyOutput{AccessKey: &iamapi.AccessKey{
		UserName:        awsapi.String(k.UserName),
		AccessKeyId:     awsapi.String(k.ID),
		Status:          awsapi.String(k.Status),
		SecretAccessKey: awsapi.String(k.Secret),
		CreateDate:      awsapi.Time(k.CreatedAt),
	}}, nil
}

// ListAccessKeys lists a user's access keys (without a name: the caller's).
func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysInput) (*iamapi.ListAccessKeysOutput, error) {
	name, err := callerUserName(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	u, err := s.user(ctx, s.Store, name)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageIndex(len(u.AccessKeys), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := []iamapi.AccessKeyMetadata{}
	for _, id := range u.AccessKeys[start:end] {
		k, _, err := get[accessKeyValue](ctx, s.Store, kindAccessKey, id, nil)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, k.metadata())
	}
	return &iamapi.ListAccessKeysOutput{AccessKeyMetadata: out, IsTruncated: truncated(next), Marker: next}, nil
}

// userKey reads a user and one of its keys in tx.
func (s *Service) userKey(ctx context.Context, tx store.ObjectTx, name, id string) (*userValue, *accessKeyValue, error) {
	u, err := s.user(ctx, tx, name)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(u.AccessKeys, id) {
		return nil, nil, accessKeyNotFound(id)
	}
	k, _, err := get[accessKeyValue](ctx, tx, kindAccessKey, id, func() error { return accessKeyNotFound(id) })
	return u, k, err
}

// UpdateAccessKey makes a key Active or Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyInput) (*awsapi.Empty, error) {
	name, err := callerUserName(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	id, status := awsapi.ToString(in.AccessKeyId), awsapi.ToString(in.Status)
	if status != "Active" && status != "Inactive" {
		return nil, iamapi.NewInvalidInputExceptionf("Invalid status %s.", status)
	}
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		_, k, err := s.userKey(ctx, tx, name, id)
		if err != nil {
			return err
		}
		k.Status = status
		return tx.PutObject(ctx, object(kindAccessKey, id, k))
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DeleteAccessKey deletes a user's access key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyInput) (*awsapi.Empty, error) {
	name, err := callerUserName(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	id := awsapi.ToString(in.AccessKeyId)
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		u, _, err := s.userKey(ctx, tx, name, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteObject(ctx, kindAccessKey, id); err != nil {
			return err
		}
		u.AccessKeys = slices.DeleteFunc(u.AccessKeys, func(k string) bool { return k == id })
		return tx.PutObject(ctx, object(kindUser, nameKey(name), u))
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// GetAccessKeyLastUsed tells when, where and for which service a key was
// last used ("N/A" until it is).
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedInput) (*iamapi.GetAccessKeyLastUsedOutput, error) {
	id := awsapi.ToString(in.AccessKeyId)
	k, _, err := get[accessKeyValue](ctx, s.Store, kindAccessKey, id, func() error { return accessKeyNotFound(id) })
	if err != nil {
		return nil, err
	}
	used := &iamapi.AccessKeyLastUsed{ServiceName: awsapi.String("N/A"), Region: awsapi.String("N/A")}
	if k.LastUsed != nil {
		used = &iamapi.AccessKeyLastUsed{
			LastUsedDate: awsapi.Time(k.LastUsed.Date),
			ServiceName:  awsapi.String(k.LastUsed.Service),
			Region:       awsapi.String(k.LastUsed.Region),
		}
	}
	return &iamapi.GetAccessKeyLastUsedOutput{UserName: awsapi.String(k.UserName), AccessKeyLastUsed: used}, nil
}

func accessKeyAAD(id string) []byte { return []byte(kindAccessKey + "/" + id) }

// AccessKeyByID returns the access key with this id, or store.ErrNotFound.
func (s *Service) AccessKeyByID(ctx context.Context, id string) (*AccessKey, error) {
	k, _, err := get[accessKeyValue](ctx, s.Store, kindAccessKey, id, nil)
	if err != nil {
		return nil, err
	}
	secret := k.Secret
	if k.SealedSecret != nil {
		plain, err := s.Secrets.Open(k.SealedSecret, accessKeyAAD(k.ID))
		if err != nil {
			return nil, fmt.Errorf("iam: access key %s: %w", k.ID, err)
		}
		secret = string(plain)
	}
	return &AccessKey{
		ID: k.ID, Secret: secret, UserName: k.UserName, UserID: k.UserID, UserARN: k.UserARN,
		Status: k.Status, CreatedAt: k.CreatedAt,
	}, nil
}

// NoteAccessKeyUsed records that a key signed a request to service in
// region, for GetAccessKeyLastUsed. It is best effort and writes at most
// once a minute per key; errors are dropped.
func (s *Service) NoteAccessKeyUsed(ctx context.Context, id, service, region string) {
	now := s.now()
	s.lastUsedMu.Lock()
	if s.lastUsed == nil {
		s.lastUsed = map[string]time.Time{}
	}
	if t, ok := s.lastUsed[id]; ok && now.Sub(t) < lastUsedEvery && now.Sub(t) >= 0 {
		s.lastUsedMu.Unlock()
		return
	}
	if len(s.lastUsed) >= 10000 { // keys come and go; forget them all now and then
		clear(s.lastUsed)
	}
	s.lastUsed[id] = now
	s.lastUsedMu.Unlock()

	_, _ = s.Store.UpdateObject(context.WithoutCancel(ctx), kindAccessKey, id, func(o store.Object) (store.Object, error) {
		k, err := decode[accessKeyValue](o)
		if err != nil {
			return o, err
		}
		k.LastUsed = &lastUsed{Date: now, Service: service, Region: region}
		o.Value = object(kindAccessKey, id, k).Value
		return o, nil
	})
}
