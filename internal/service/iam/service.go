package iamsvc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
)

// Object kinds; see doc.go for their keys.
const (
	kindRole           = "iam.role"
	kindRolePolicy     = "iam.role-policy"
	kindRoleAttachment = "iam.role-attachment"
	kindUser           = "iam.user"
	kindUserPolicy     = "iam.user-policy"
	kindUserAttachment = "iam.user-attachment"
	kindPolicy         = "iam.policy"
	kindPolicyName     = "iam.policy-name"
	kindPolicyEntity   = "iam.policy-entity"
	kindAccessKey      = "iam.access-key"
	kindOIDCProvider   = "iam.oidc-provider"
)

// Service implements iamapi.API over an object store.
type Service struct {
	iamapi.UnimplementedAPI

	Store   store.ObjectStore
	Account string
	// Now is the clock; it defaults to time.Now.
	Now func() time.Time
	// RootCreateDate is what GetUser tells the account root as its
	// CreateDate; New sets it to the time the service was made.
	RootCreateDate time.Time
	// Secrets, when set (--master-key), seals the secret access keys of new
	// access keys in the store.
	Secrets *secretbox.Box

	docs docCache

	lastUsedMu sync.Mutex
	lastUsed   map[string]time.Time // access key id → when NoteAccessKeyUsed last wrote
}

var _ iamapi.API = (*Service)(nil)

// New returns the IAM service of account, keeping its state in st.
func New(st store.ObjectStore, account string) *Service {
	s := &Service{Store: st, Account: account, Now: time.Now, lastUsed: map[string]time.Time{}}
	s.RootCreateDate = s.now()
	return s
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// ---- identifiers ----

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// Unique ids as AWS forms them: a four-letter prefix telling the entity
// type and 17 upper-case alphanumerics; access key ids have 16.
func newRoleID() string          { return "AROA" + randid.String(17, upperAlnum) }
func newUserID() string          { return "AIDA" + randid.String(17, upperAlnum) }
func newPolicyID() string        { return "ANPA" + randid.String(17, upperAlnum) }
func newAccessKeyID() string     { return "AKIA" + randid.String(16, upperAlnum) }
func newSecretAccessKey() string { return randid.String(40, secretChars) }

// nameKey is the key of a role or user: AWS compares their names without
// case, and keeps the case they were created with.
func nameKey(name string) string { return strings.ToLower(name) }

func (s *Service) roleARN(path, name string) string {
	return "arn:aws:iam::" + s.Account + ":role" + path + name
}

func (s *Service) userARN(path, name string) string {
	return "arn:aws:iam::" + s.Account + ":user" + path + name
}

func (s *Service) policyARN(path, name string) string {
	return "arn:aws:iam::" + s.Account + ":policy" + path + name
}

func defaultPath(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}

// ---- documents ----

// escapeDocument percent-encodes a policy document as IAM returns it
// (RFC 3986: everything but unreserved characters is escaped; the CLI and
// SDKs that decode it use a plain URL unquote).
func escapeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(doc); i++ {
		if !unreserved(doc[i]) {
			n++
		}
	}
	if n == 0 {
		return doc
	}
	b := make([]byte, 0, len(doc)+2*n)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// ---- tags ----

// tag is a stored tag; IAM compares tag keys of users and roles without
// case and keeps the case last given.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

const maxTags = 50

func newTags(in []iamapi.Tag) ([]tag, error) {
	var out []tag
	for _, t := range in {
		k, v := awsapi.ToString(t.Key), awsapi.ToString(t.Value)
		for _, o := range out {
			if strings.EqualFold(o.Key, k) {
				return nil, iamapi.NewInvalidInputException("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		out = append(out, tag{k, v})
	}
	if len(out) > maxTags {
		return nil, tagLimit()
	}
	return out, nil
}

func tagLimit() error {
	return iamapi.NewLimitExceededExceptionf("The number of tags has reached the maximum limit of %d.", maxTags)
}

// mergeTags adds or replaces tags (keys compared without case).
func mergeTags(have []tag, in []iamapi.Tag) ([]tag, error) {
	add, err := newTags(in)
	if err != nil {
		return nil, err
	}
	out := append([]tag(nil), have...)
next:
	for _, t := range add {
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				continue next
			}
		}
		out = append(out, t)
	}
	if len(out) > maxTags {
		return nil, tagLimit()
	}
	return out, nil
}

func removeTags(have []tag, keys []string) []tag {
	out := have[:0:0]
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func apiTags(ts []tag) []iamapi.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(ts))
	for i, t := range ts {
		out[i] = iamapi.Tag{Key: awsapi.String(t.Key), Value: awsapi.String(t.Value)}
	}
	return out
}

func tagMap(ts []tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// ---- store helpers ----

func decode[T any](o store.Object) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(o.Value, v); err != nil {
		return nil, err
	}
	return v, nil
}

func object(kind, key string, v any) store.Object {
	b, err := json.Marshal(v)
	if err != nil {
		panic("iamsvc: " + err.Error()) // plain structs always marshal
	}
	return store.Object{Kind: kind, Key: key, Value: b}
}

// get reads and decodes one object; notFound answers a missing one.
func get[T any](ctx context.Context, tx store.ObjectTx, kind, key string, notFound func() error) (*T, store.Object, error) {
	o, err := tx.GetObject(ctx, kind, key)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && notFound != nil {
			return nil, o, notFound()
		}
		return nil, o, err
	}
	v, err := decode[T](o)
	return v, o, err
}

// exists tells whether any object of kind has a key starting with prefix.
func exists(ctx context.Context, tx store.ObjectTx, kind, prefix string) (bool, error) {
	objs, err := tx.ListObjects(ctx, kind, prefix, store.Page{Limit: 1})
	return len(objs) > 0, err
}

const batch = 500

// all lists every object of kind under prefix.
func all(ctx context.Context, tx store.ObjectTx, kind, prefix string) ([]store.Object, error) {
	var out []store.Object
	after := ""
	for {
		objs, err := tx.ListObjects(ctx, kind, prefix, store.Page{After: after, Limit: batch})
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
		if len(objs) < batch {
			return out, nil
		}
		after = objs[len(objs)-1].Key
	}
}

// count counts the objects of kind under prefix.
func count(ctx context.Context, tx store.ObjectTx, kind, prefix string) (int, error) {
	n := 0
	after := ""
	for {
		objs, err := tx.ListObjects(ctx, kind, prefix, store.Page{After: after, Limit: batch})
		if err != nil {
			return 0, err
		}
		n += len(objs)
		if len(objs) < batch {
			return n, nil
		}
		after = objs[len(objs)-1].Key
	}
}

// ---- paging ----

const defaultMaxItems = 100

func maxItems(p *int32) int {
	n := int(awsapi.ToInt32(p))
	if n <= 0 {
		return defaultMaxItems
	}
	if n > 1000 {
		return 1000
	}
	return n
}

// Markers are opaque to callers: the base64 of the last key returned (or
// of an index, for lists kept inside one object).
func encodeMarker(key string) *string {
	return awsapi.String(base64.RawURLEncoding.EncodeToString([]byte(key)))
}

func decodeMarker(m *string) (string, error) {
	if m == nil || *m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*m)
	if err != nil {
		return "", iamapi.NewInvalidInputException("Invalid Marker.")
	}
	return string(b), nil
}

// page lists up to MaxItems objects of kind under prefix after the marker,
// converting each with conv, which also tells whether to keep it; it
// returns the marker of the next page when there is one.
func page[T any](ctx context.Context, tx store.ObjectTx, kind, prefix string, marker *string, max *int32, conv func(store.Object) (T, bool, error)) ([]T, *string, error) {
	after, err := decodeMarker(marker)
	if err != nil {
		return nil, nil, err
	}
	n := maxItems(max)
	limit := max32(n+1, batch)
	var out []T
	last := ""
	for {
		objs, err := tx.ListObjects(ctx, kind, prefix, store.Page{After: after, Limit: limit})
		if err != nil {
			return nil, nil, err
		}
		for _, o := range objs {
			v, ok, err := conv(o)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
			if len(out) == n {
				return out, encodeMarker(last), nil
			}
			out = append(out, v)
			last = o.Key
		}
		if len(objs) < limit {
			return out, nil, nil
		}
		after = objs[len(objs)-1].Key
	}
}

func max32(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// pageIndex pages through a list of length total kept inside one object.
func pageIndex(total int, marker *string, max *int32) (start, end int, next *string, err error) {
	m, err := decodeMarker(marker)
	if err != nil {
		return 0, 0, nil, err
	}
	if m != "" {
		if start, err = strconv.Atoi(m); err != nil || start < 0 {
			return 0, 0, nil, iamapi.NewInvalidInputException("Invalid Marker.")
		}
	}
	start = min(start, total)
	end = min(start+maxItems(max), total)
	if end < total {
		next = encodeMarker(strconv.Itoa(end))
	}
	return start, end, next, nil
}

// truncated is IsTruncated for a next-page marker.
func truncated(next *string) *bool { return awsapi.Bool(next != nil) }

// pathPrefix keeps entities whose path starts with the given prefix (all
// when it is absent).
func pathPrefix(p *string) func(path string) bool {
	prefix := awsapi.ToString(p)
	return func(path string) bool { return strings.HasPrefix(path, prefix) }
}
