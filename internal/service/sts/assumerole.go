package sts

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
	"github.com/ninsho/ninsho/internal/store"
)

const (
	// defaultMaxSessionDuration is a role's MaxSessionDuration when unset,
	// and the default DurationSeconds of AssumeRole.
	defaultMaxSessionDuration = 3600
	// chainedMaxSessionDuration caps role chaining: "When you use role
	// chaining, your new credentials are limited to a maximum duration of
	// one hour" (IAM User Guide, "Roles terms and concepts").
	chainedMaxSessionDuration = 3600
	// packedBudget is the room, in compressed bytes, that session policies
	// and session tags may take in a session (PackedPolicySize is the
	// percentage of it used). AWS does not publish its packed format or
	// limit; this approximation makes a one-statement policy cost a few
	// percent and puts the limit well above the 2,048 characters AWS
	// documents for an inline session policy.
	packedBudget = 2048
)

// AssumeRole issues credentials for a session of a role whose trust policy
// lets the caller assume it.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
//
// The generated validation has checked the shapes (RoleSessionName pattern
// and length, DurationSeconds 900..43200, tag counts and patterns). Root
// callers may assume roles their trust policy allows (AWS refuses them with
// "Roles may not be assumed by root accounts."; ninsho's root key is often
// the only one a test suite has). PolicyArns, SerialNumber/TokenCode and
// ProvidedContexts are accepted and ignored.
func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleInput) (*stsapi.AssumeRoleOutput, error) {
	caller := principal.From(ctx)
	if caller.Kind == principal.Anonymous {
		return nil, missingAuthenticationToken()
	}
	roleARN := awsapi.ToString(in.RoleArn)
	if !wellFormedARN(roleARN) {
		return nil, validationError(roleARN + " is invalid")
	}
	denied := notAuthorized(caller.ARN, "sts:AssumeRole", roleARN)

	// AWS does not tell a missing role from one that does not trust the
	// caller.
	role, err := s.Roles.RoleByARN(ctx, roleARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil, denied
	}
	if err != nil {
		return nil, fmt.Errorf("sts: find role %s: %w", roleARN, err)
	}

	from, err := s.callingSession(ctx, caller)
	if err != nil {
		return nil, err
	}
	tags, transitive, err := sessionTags(in.Tags, in.TransitiveTagKeys, from)
	if err != nil {
		return nil, err
	}
	requestTags := make(map[string]string, len(in.Tags))
	for _, t := range in.Tags {
		requestTags[awsapi.ToString(t.Key)] = awsapi.ToString(t.Value)
	}

	trust := newTrustCheck(role, caller, s.assumeConditions(ctx, caller, from, in, requestTags))
	if !trust("sts:AssumeRole") {
		return nil, denied
	}
	// Passing session tags needs sts:TagSession, and setting a source
	// identity sts:SetSourceIdentity, in the same trust policy.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
	if len(in.Tags) > 0 && !trust("sts:TagSession") {
		return nil, notAuthorized(caller.ARN, "sts:TagSession", roleARN)
	}
	sourceIdentity := awsapi.ToString(in.SourceIdentity)
	if in.SourceIdentity != nil && !trust("sts:SetSourceIdentity") {
		return nil, notAuthorized(caller.ARN, "sts:SetSourceIdentity", roleARN)
	}
	if from != nil && from.SourceIdentity != "" {
		// A source identity, once set, persists through role chaining
		// and cannot be changed.
		if in.SourceIdentity != nil && sourceIdentity != from.SourceIdentity {
			return nil, notAuthorized(caller.ARN, "sts:SetSourceIdentity", roleARN)
		}
		sourceIdentity = from.SourceIdentity
	}

	d, err := roleSessionDuration(in.DurationSeconds, role, caller.Kind == principal.AssumedRole)
	if err != nil {
		return nil, err
	}

	sessionPolicy, packed, err := sessionPolicyAndSize(in.Policy, tags)
	if err != nil {
		return nil, err
	}

	creds, user, err := s.IssueRoleSession(ctx, RoleSession{
		Role:              role,
		SessionName:       awsapi.ToString(in.RoleSessionName),
		Duration:          d,
		SessionPolicy:     sessionPolicy,
		Tags:              tags,
		TransitiveTagKeys: transitive,
		SourceIdentity:    sourceIdentity,
	})
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleOutput{Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed}
	if sourceIdentity != "" {
		out.SourceIdentity = awsapi.String(sourceIdentity)
	}
	return out, nil
}

// callingSession returns the stored session of a caller signing with
// temporary credentials (for its transitive tags and source identity), or
// nil for long-term keys.
func (s *Service) callingSession(ctx context.Context, caller *principal.Principal) (*credentialRecord, error) {
	if !strings.HasPrefix(caller.AccessKeyID, TemporaryKeyPrefix) {
		return nil, nil
	}
	rec, err := s.record(ctx, caller.AccessKeyID)
	if errors.Is(err, sigv4.ErrUnknownKey) {
		return nil, nil
	}
	return rec, err
}

// roleSessionDuration checks DurationSeconds against the role's
// MaxSessionDuration and the role-chaining limit; the default is one hour.
func roleSessionDuration(requested *int32, role *Role, chained bool) (time.Duration, error) {
	if requested == nil {
		return defaultMaxSessionDuration * time.Second, nil
	}
	maxDuration := role.MaxSessionDuration
	if maxDuration <= 0 {
		maxDuration = defaultMaxSessionDuration
	}
	if chained && *requested > chainedMaxSessionDuration {
		return 0, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if *requested > maxDuration {
		return 0, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return time.Duration(*requested) * time.Second, nil
}

// sessionTags merges the request's tags with the transitive tags of the
// calling session (role chaining) and returns the session's tags and its
// transitive tag keys. Tag keys are case-insensitive: a key may appear once,
// and a transitive key of the calling session may not be set again.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining
func sessionTags(in []stsapi.Tag, transitiveKeys []string, from *credentialRecord) (map[string]string, []string, error) {
	tags := make(map[string]string, len(in))
	seen := make(map[string]bool, len(in))
	for _, t := range in {
		k := awsapi.ToString(t.Key)
		if seen[strings.ToLower(k)] {
			return nil, nil, invalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(k)] = true
		tags[k] = awsapi.ToString(t.Value)
	}
	var transitive []string
	for _, k := range transitiveKeys {
		if !seen[strings.ToLower(k)] {
			return nil, nil, invalidParameterValue("The specified transitive tag key must be included in the requested tags.")
		}
		if !slices.ContainsFunc(transitive, func(t string) bool { return strings.EqualFold(t, k) }) {
			transitive = append(transitive, k)
		}
	}
	if from != nil {
		for _, k := range from.TransitiveTagKeys {
			if seen[strings.ToLower(k)] {
				return nil, nil, invalidParameterValue("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
			for fk, v := range from.Tags {
				if strings.EqualFold(fk, k) {
					tags[fk] = v
				}
			}
			transitive = append(transitive, k)
		}
	}
	if len(tags) == 0 {
		tags = nil
	}
	return tags, transitive, nil
}

// packedPolicySize is the percentage of packedBudget that the session policy
// and tags take once compressed; above 100 the request fails with AWS's
// PackedPolicyTooLarge wording.
func packedPolicySize(sessionPolicy string, tags map[string]string) (int32, error) {
	var policyBytes, tagBytes int
	if sessionPolicy != "" {
		var compact bytes.Buffer
		src := []byte(sessionPolicy)
		if json.Compact(&compact, src) == nil {
			src = compact.Bytes()
		}
		policyBytes = compressedSize(src)
	}
	if len(tags) > 0 {
		keys := slices.Sorted(maps.Keys(tags))
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte(0)
			b.WriteString(tags[k])
			b.WriteByte(0)
		}
		tagBytes = compressedSize([]byte(b.String()))
	}
	percent := func(n int) int { return (n*100 + packedBudget - 1) / packedBudget }
	total := percent(policyBytes + tagBytes)
	if total > 100 {
		if tagBytes > policyBytes {
			return 0, stsapi.NewPackedPolicyTooLargeException("Packed size of session tags consumes " + strconv.Itoa(total) + "% of allotted space.")
		}
		return 0, stsapi.NewPackedPolicyTooLargeException("Packed policy consumes " + strconv.Itoa(total) + "% of allotted space, please use smaller policy.")
	}
	return int32(total), nil
}

func compressedSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

// wellFormedARN reports whether s has the arn:partition:service:region:
// account:resource form; AWS answers "<arn> is invalid" otherwise.
func wellFormedARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != "" && parts[5] != ""
}

// sessionPolicyAndSize checks the inline session policy of an
// AssumeRole* call and, when there is a policy or there are tags, computes
// PackedPolicySize (nil otherwise, as AWS leaves it out).
func sessionPolicyAndSize(policy *string, tags map[string]string) (string, *int32, error) {
	text := awsapi.ToString(policy)
	if policy != nil {
		if err := checkSessionPolicy(text); err != nil {
			return "", nil, err
		}
	}
	if policy == nil && len(tags) == 0 {
		return text, nil, nil
	}
	packed, err := packedPolicySize(text, tags)
	if err != nil {
		return "", nil, err
	}
	return text, awsapi.Int32(packed), nil
}
