package userpool_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/service/userpool"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/tokens"
)

// With a master key, client secrets are sealed in the store, yet
// DescribeUserPoolClient shows them and SECRET_HASH checks against them.
func TestClientSecretsSealed(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := userpool.New(st, &tokens.Keys{Store: st, Bits: 1024}, "us-east-1", "000000000000", "http://localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if svc.Secrets, err = secretbox.New([]byte("0123456789abcdef0123456789abcdef"), "ninsho userpool.client v1"); err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: awsapi.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *p.UserPool.Id
	const given = "given_client_secret_of_thirty_characters"
	c, err := svc.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: awsapi.String("c"),
		GenerateSecret: awsapi.Bool(true), ClientSecret: awsapi.String(given), ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := *c.UserPoolClient.ClientId
	if got := awsapi.ToString(c.UserPoolClient.ClientSecret); got != given {
		t.Fatalf("CreateUserPoolClient secret %q", got)
	}
	rec, err := st.GetClient(ctx, poolID, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.Secret, "sealed:") || strings.Contains(rec.Secret, given) {
		t.Fatalf("stored secret %q is not sealed", rec.Secret)
	}
	d, err := svc.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	if err != nil || awsapi.ToString(d.UserPoolClient.ClientSecret) != given {
		t.Fatalf("DescribeUserPoolClient: %v, %v", d, err)
	}
	u, err := svc.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID, ClientName: awsapi.String("c2"),
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil || awsapi.ToString(u.UserPoolClient.ClientSecret) != given {
		t.Fatalf("UpdateUserPoolClient: %v, %v", u, err)
	}
	// SECRET_HASH is checked against the opened secret.
	if _, err := svc.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: awsapi.String("ann"), MessageAction: awsapi.String("SUPPRESS")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: awsapi.String("ann"),
		Password: awsapi.String("Ann-Passw0rd!"), Permanent: awsapi.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(given))
	mac.Write([]byte("ann" + clientID))
	out, err := svc.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: awsapi.String("USER_PASSWORD_AUTH"),
		AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Ann-Passw0rd!", "SECRET_HASH": base64.StdEncoding.EncodeToString(mac.Sum(nil))}})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in with the SECRET_HASH of the given secret: %v", err)
	}
	// Without the master key the sealed secret cannot be used.
	plain := userpool.New(st, &tokens.Keys{Store: st, Bits: 1024}, "us-east-1", "000000000000", "http://localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := plain.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID}); err == nil {
		t.Fatal("a sealed secret opened without the master key")
	}
}
