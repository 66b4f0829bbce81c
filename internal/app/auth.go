package app

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
	"github.com/ninsho/ninsho/internal/sigv4"
)

// rootCredentials knows the account root's access key. More credentials (IAM
// users, STS and identity-pool sessions) join with the IAM issue.
type rootCredentials struct {
	accessKeyID, secret, account string
}

func (c *rootCredentials) LookupCredential(_ context.Context, id string) (sigv4.Credential, error) {
	if subtle.ConstantTimeCompare([]byte(id), []byte(c.accessKeyID)) != 1 {
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	return sigv4.Credential{
		AccessKeyID: c.accessKeyID, SecretAccessKey: c.secret,
		Principal: &principal.Principal{Kind: principal.Root, Account: c.account,
			ARN: "arn:aws:iam::" + c.account + ":root", UserID: c.account, AccessKeyID: c.accessKeyID},
	}, nil
}

// authenticator verifies SigV4 for the protocol layer.
type authenticator struct {
	verifier *sigv4.Verifier
	account  string
}

func (a *authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, svc *awsapi.Service) (*principal.Principal, error) {
	res, err := a.verifier.VerifyService(ctx, r, body, svc.SigningName)
	if err != nil {
		if e, ok := awserr.As(err); ok {
			return nil, e
		}
		return nil, err
	}
	if p, ok := res.Credential.Principal.(*principal.Principal); ok && p != nil {
		return p, nil
	}
	// --iam off: any well-formed signature is the account root.
	return &principal.Principal{Kind: principal.Root, Account: a.account,
		ARN: "arn:aws:iam::" + a.account + ":root", UserID: a.account, AccessKeyID: res.Parsed.AccessKeyID}, nil
}
