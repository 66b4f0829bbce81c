package sts

import (
	"context"
	"maps"
	"strings"
	"time"

	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
)

const (
	// defaultSessionTokenDuration is GetSessionToken's default (12 hours).
	defaultSessionTokenDuration = 43200
	// rootSessionTokenDuration caps the root's sessions: "Sessions for AWS
	// account owners are restricted to a maximum of 3,600 seconds (one
	// hour). If the duration is longer than one hour, the session for AWS
	// account owners defaults to one hour."
	rootSessionTokenDuration = 3600
)

// GetSessionToken issues temporary credentials for an IAM user or the
// root. The session keeps the caller's identity: GetCallerIdentity with it
// still prints the user's (or root's) ARN and id.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
//
// SerialNumber and TokenCode are accepted and ignored: ninsho has no IAM MFA
// devices, and the session does not claim MFA.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenInput) (*stsapi.GetSessionTokenOutput, error) {
	caller := principal.From(ctx)
	if caller.Kind == principal.AssumedRole || strings.HasPrefix(caller.AccessKeyID, TemporaryKeyPrefix) {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	if caller.Kind != principal.User && caller.Kind != principal.Root {
		return nil, missingAuthenticationToken()
	}
	seconds := int32(defaultSessionTokenDuration)
	if in.DurationSeconds != nil {
		seconds = *in.DurationSeconds // 900..129600, checked by the generated validation
	}
	account := caller.Account
	if account == "" {
		account = s.Account
	}
	rec := &credentialRecord{
		Kind:     kindNames[caller.Kind],
		Account:  account,
		ARN:      caller.ARN,
		UserID:   caller.UserID,
		UserName: caller.UserName,
		Tags:     maps.Clone(caller.Tags),
		Context:  maps.Clone(caller.Context),
	}
	if caller.Kind == principal.Root {
		seconds = min(seconds, rootSessionTokenDuration)
		rec.ARN, rec.UserID = rootARN(account), account
	}
	creds, err := s.issue(ctx, rec, time.Duration(seconds)*time.Second)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenOutput{Credentials: creds}, nil
}
