// Package sts implements AWS STS: who the caller is, and (with the IAM
// issue) temporary credentials.
package sts

import (
	"context"

	"github.com/ninsho/ninsho/internal/awsapi"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/principal"
)

// Service implements stsapi.API.
type Service struct {
	stsapi.UnimplementedAPI
}

// GetCallerIdentity tells who signed the request.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityInput) (*stsapi.GetCallerIdentityOutput, error) {
	p := principal.From(ctx)
	return &stsapi.GetCallerIdentityOutput{
		UserId:  awsapi.String(p.UserID),
		Account: awsapi.String(p.Account),
		Arn:     awsapi.String(p.ARN),
	}, nil
}
