// Package quota enforces Amazon Cognito's request-rate quotas
// (COGNITO-NOTES §4.1–4.2): per category of user-pool operation, per
// identity-pool operation, 5 requests per second per user pool for any one
// operation of the pool-resource and client categories, and 10 "read" and
// 10 "write" requests per second per user. A throttled call gets
// TooManyRequestsException "Rate exceeded", as Cognito answers.
//
// Quotas are off by default: local development and test suites should not
// be throttled. `--quotas cognito` turns Cognito's defaults on, and
// `--quotas cognito,UserAuthentication=500,PerUser=20` changes some of them
// (a category, PerUser, or an identity-pool operation name).
//
// With one instance the buckets live in its memory. With several instances
// on one store (Limiter.Shared, set for PostgreSQL), the buckets are kept in
// the store (objects of kind quota.bucket) and each instance reserves
// tokens from them a chunk at a time (a tenth of the rate, at least one)
// and spends them within a second, so that the instances together keep
// to one quota. A store error lets the call through.
package quota

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/store"
)

// Config is a parsed --quotas value; Rates is nil when quotas are off.
type Config struct {
	Rates map[string]float64
}

// Enabled tells whether any quota applies.
func (c Config) Enabled() bool { return c.Rates != nil }

// Parse reads "off", "cognito", or "cognito,<Name>=<rps>,…" (or just the
// overrides, which imply "cognito"). Names are the user-pool categories,
// PerUser, and the identity-pool operations of DefaultRates.
func Parse(spec string) (Config, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "off" {
		return Config{}, nil
	}
	rates := make(map[string]float64, len(DefaultRates))
	for k, v := range DefaultRates {
		rates[k] = v
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "cognito" || part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return Config{}, fmt.Errorf("quota %q: want off, cognito, or Name=requests-per-second", part)
		}
		if _, known := DefaultRates[name]; !known {
			return Config{}, fmt.Errorf("quota %q: unknown name %q (known: %s)", part, name, strings.Join(names(), ", "))
		}
		rps, err := strconv.ParseFloat(value, 64)
		if err != nil || rps <= 0 || rps > 1e6 {
			return Config{}, fmt.Errorf("quota %q: the rate must be a number of requests per second above 0", part)
		}
		rates[name] = rps
	}
	return Config{Rates: rates}, nil
}

func names() []string {
	n := make([]string, 0, len(DefaultRates))
	for k := range DefaultRates {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// bucket is a token bucket holding at most one second of its rate (at least
// one request).
type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter decides whether a call is within the quotas. It is safe for
// concurrent use.
type Limiter struct {
	rates map[string]float64
	now   func() time.Time
	// Shared, when set, holds the buckets of every instance (see the
	// package doc); nil keeps them in memory.
	Shared store.ObjectStore

	mu      sync.Mutex
	buckets map[string]*bucket
	grants  map[string]*grant // with Shared
	calls   int
}

// New returns a limiter for cfg (nil when quotas are off); now defaults to
// time.Now. Buckets run on real time, not on the test clock that
// POST /_ninsho/clock moves.
func New(cfg Config, now func() time.Time) *Limiter {
	if !cfg.Enabled() {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rates: cfg.Rates, now: now, buckets: map[string]*bucket{}, grants: map[string]*grant{}}
}

// ErrThrottled is the answer to a call over a quota.
func errThrottled() error {
	return awserr.New("TooManyRequestsException", "Rate exceeded")
}

// Allow takes one request of operation op of service ("cognito-idp" or
// "cognito-identity") with its decoded input, and returns
// TooManyRequestsException when a quota is exhausted. Every quota the call
// falls under must have room; none is charged when one refuses.
func (l *Limiter) Allow(ctx context.Context, service, op string, in any) error {
	if l == nil {
		return nil
	}
	switch service {
	case "cognito-identity":
		rate, ok := l.rates[op]
		if !ok {
			return nil
		}
		if !l.acquire(ctx, []charge{{"identity/" + op, rate}}) {
			return errThrottled()
		}
		return nil
	case "cognito-idp":
	default:
		return nil
	}
	category, ok := categoryOf[op]
	if !ok {
		return nil
	}
	f := fieldsOf(in)
	if (op == "RespondToAuthChallenge" || op == "AdminRespondToAuthChallenge") && f.challenge == "NEW_PASSWORD_REQUIRED" {
		category = UserAccountRecovery
	}
	charges := make([]charge, 0, 3)
	if category == UserAuthentication && (op == "RespondToAuthChallenge" || op == "AdminRespondToAuthChallenge") {
		// Challenge answers have a quota of their own, three times the
		// category's; beyond it they count against the category.
		charges = append(charges, charge{"category/" + category + "/challenges", 3 * l.rates[category]})
	} else {
		charges = append(charges, charge{"category/" + category, l.rates[category]})
	}
	if perPoolCategories[category] && f.pool != "" {
		charges = append(charges, charge{"pool/" + f.pool + "/" + op, perPoolRate})
	}
	if user := f.user(); user != "" {
		kind := "read"
		if writeCategories[category] {
			kind = "write"
		}
		charges = append(charges, charge{"user/" + kind + "/" + f.pool + "/" + user, l.rates[PerUser]})
	}

	if l.acquire(ctx, charges) {
		return nil
	}
	if strings.HasSuffix(charges[0].key, "/challenges") {
		// The overflow of challenge answers goes to the category.
		charges[0] = charge{"category/" + category, l.rates[category]}
		if l.acquire(ctx, charges) {
			return nil
		}
	}
	return errThrottled()
}

// acquire takes a token from each bucket of charges, or none.
func (l *Limiter) acquire(ctx context.Context, charges []charge) bool {
	if l.Shared == nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		now := l.now()
		l.sweep(now)
		return l.take(now, charges)
	}
	// Reserve, outside the lock, a chunk for each bucket that has no token
	// left here, then take as in memory.
	now := l.now()
	l.mu.Lock()
	l.sweep(now)
	var need []charge
	for _, c := range charges {
		if g := l.grants[c.key]; g == nil || g.tokens < 1 || now.Sub(g.at) > grantLife {
			need = append(need, c)
		}
	}
	l.mu.Unlock()
	for _, c := range need {
		n, err := l.reserve(ctx, c, now)
		if err != nil {
			return true // fail open: a store problem does not stop the API
		}
		l.mu.Lock()
		g := l.grants[c.key]
		if g == nil || now.Sub(g.at) > grantLife {
			g = &grant{}
			l.grants[c.key] = g
		}
		g.tokens += float64(n)
		g.at = now
		l.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	gs := make([]*grant, len(charges))
	for i, c := range charges {
		g := l.grants[c.key]
		if g == nil || g.tokens < 1 {
			return false
		}
		gs[i] = g
	}
	for _, g := range gs {
		g.tokens--
	}
	return true
}

// grant is a share of a shared bucket this instance has reserved.
type grant struct {
	tokens float64
	at     time.Time
}

// grantLife is how long reserved tokens may wait to be spent: a share kept
// longer would let an instance save up past the rate.
const grantLife = time.Second

// BucketKind is the object kind of the shared buckets.
const BucketKind = "quota.bucket"

// sharedBucket is a bucket kept in the store.
type sharedBucket struct {
	Tokens float64   `json:"tokens"`
	Last   time.Time `json:"last"`
}

// reserve takes up to a chunk of tokens from c's shared bucket.
func (l *Limiter) reserve(ctx context.Context, c charge, now time.Time) (int, error) {
	capacity := max(c.rate, 1)
	want := max(1, int(c.rate/10))
	taken := 0
	err := l.Shared.InObjectTx(ctx, func(tx store.ObjectTx) error {
		taken = 0
		b := sharedBucket{Tokens: capacity, Last: now}
		o, err := tx.GetObject(ctx, BucketKind, c.key)
		switch {
		case err == nil:
			if err := json.Unmarshal(o.Value, &b); err != nil {
				return err
			}
			if elapsed := now.Sub(b.Last).Seconds(); elapsed > 0 {
				b.Tokens = min(capacity, b.Tokens+elapsed*c.rate)
				b.Last = now
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		taken = min(want, int(b.Tokens))
		b.Tokens -= float64(taken)
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		// An idle bucket is full again after capacity/rate seconds; the
		// janitor may drop it a minute after that.
		return tx.PutObject(ctx, store.Object{Kind: BucketKind, Key: c.key, Value: raw,
			ExpiresAt: now.Add(time.Duration(capacity/c.rate*float64(time.Second)) + time.Minute)})
	})
	return taken, err
}

type charge struct {
	key  string
	rate float64
}

// take refills the buckets of charges and, when each has a token, takes one
// from each. l.mu is held.
func (l *Limiter) take(now time.Time, charges []charge) bool {
	bs := make([]*bucket, len(charges))
	for i, c := range charges {
		b := l.buckets[c.key]
		capacity := max(c.rate, 1)
		if b == nil {
			b = &bucket{tokens: capacity, last: now}
			l.buckets[c.key] = b
		} else if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
			b.tokens = min(capacity, b.tokens+elapsed*c.rate)
			b.last = now
		}
		if b.tokens < 1 {
			return false
		}
		bs[i] = b
	}
	for _, b := range bs {
		b.tokens--
	}
	return true
}

// sweep drops, now and then, the buckets that have been idle long enough to
// be full again (those of users and pools come and go). l.mu is held.
func (l *Limiter) sweep(now time.Time) {
	l.calls++
	if l.calls%4096 != 0 && len(l.buckets) < 100000 {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) > 10*time.Second {
			delete(l.buckets, k)
		}
	}
	for k, g := range l.grants {
		if now.Sub(g.at) > grantLife {
			delete(l.grants, k)
		}
	}
}

// fields are the members of an input that name a pool, a user or a
// challenge.
type fields struct {
	pool, username, challenge string
	accessToken               string
	params                    map[string]string // AuthParameters or ChallengeResponses
}

// user names the user a call is about: Username, the USERNAME parameter, or
// the subject of the access token (read without verification: the
// operation verifies it; a forged token only spends its own quota).
func (f fields) user() string {
	switch {
	case f.username != "":
		return f.username
	case f.params["USERNAME"] != "":
		return f.params["USERNAME"]
	case f.accessToken != "":
		return tokenSubject(f.accessToken)
	}
	return ""
}

func tokenSubject(token string) string {
	_, rest, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	payload, _, ok := strings.Cut(rest, ".")
	if !ok || len(payload) > 8192 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var c struct {
		Sub string `json:"sub"`
		Iss string `json:"iss"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Sub == "" {
		return ""
	}
	return "sub:" + c.Sub
}

// fieldIndex caches, per input type, where its fields are.
var fieldIndex sync.Map // reflect.Type → map[string][]int

var fieldNames = []string{"UserPoolId", "Username", "ChallengeName", "AccessToken", "AuthParameters", "ChallengeResponses"}

func fieldsOf(in any) fields {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fields{}
	}
	v = v.Elem()
	idx, ok := fieldIndex.Load(v.Type())
	if !ok {
		m := map[string][]int{}
		for _, n := range fieldNames {
			if sf, ok := v.Type().FieldByName(n); ok {
				m[n] = sf.Index
			}
		}
		idx, _ = fieldIndex.LoadOrStore(v.Type(), m)
	}
	var f fields
	for name, i := range idx.(map[string][]int) {
		fv := v.FieldByIndex(i)
		switch name {
		case "AuthParameters", "ChallengeResponses":
			if m, ok := fv.Interface().(map[string]string); ok && m != nil {
				f.params = m
			}
		default:
			s := stringOf(fv)
			switch name {
			case "UserPoolId":
				f.pool = s
			case "Username":
				f.username = s
			case "ChallengeName":
				f.challenge = s
			case "AccessToken":
				f.accessToken = s
			}
		}
	}
	return f
}

func stringOf(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Pointer:
		if !v.IsNil() && v.Elem().Kind() == reflect.String {
			return v.Elem().String()
		}
	}
	return ""
}
