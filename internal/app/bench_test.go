package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ninsho/ninsho/internal/srp"
)

// seedUser creates a pool, a client allowing the admin password flow and a
// confirmed user, and returns the pool and client ids.
func seedUser(b testing.TB, url, username, password string) (poolID, clientID string) {
	b.Helper()
	do := func(op, body string) map[string]any {
		status, out, _ := call(b, url, "cognito-idp", "AWSCognitoIdentityProviderService."+op, []byte(body))
		if status != 200 {
			b.Fatalf("%s: %d %s", op, status, out)
		}
		var m map[string]any
		json.Unmarshal(out, &m)
		return m
	}
	poolID = do("CreateUserPool", `{"PoolName":"bench"}`)["UserPool"].(map[string]any)["Id"].(string)
	clientID = do("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c","ExplicitAuthFlows":["ALLOW_ADMIN_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, poolID))["UserPoolClient"].(map[string]any)["ClientId"].(string)
	do("AdminCreateUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":%q,"MessageAction":"SUPPRESS"}`, poolID, username))
	do("AdminSetUserPassword", fmt.Sprintf(`{"UserPoolId":%q,"Username":%q,"Password":%q,"Permanent":true}`, poolID, username, password))
	return poolID, clientID
}

// BenchmarkAdminInitiateAuth measures a whole sign-in through the HTTP
// handler: SigV4 verification, decoding, validation, the password check
// against the SRP verifier, two RS256 signatures, the refresh-token write
// and encoding. The request is signed once; only the handler is timed.
func BenchmarkAdminInitiateAuth(b *testing.B) {
	a, srv := newTestApp(b)
	poolID, clientID := seedUser(b, srv.URL, "bench-user", "Bench-Pass1!")
	body := []byte(fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"bench-user","PASSWORD":"Bench-Pass1!"}}`, poolID, clientID))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminInitiateAuth")
	sum := sha256.Sum256(body)
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := req.Clone(context.Background())
			r.Body = readCloser{bytes.NewReader(body)}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// BenchmarkAdminInitiateAuthLatency is one sign-in at a time: the latency a
// single client sees.
func BenchmarkAdminInitiateAuthLatency(b *testing.B) {
	a, srv := newTestApp(b)
	poolID, clientID := seedUser(b, srv.URL, "bench-user", "Bench-Pass1!")
	body := []byte(fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"bench-user","PASSWORD":"Bench-Pass1!"}}`, poolID, clientID))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminInitiateAuth")
	sum := sha256.Sum256(body)
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = readCloser{bytes.NewReader(body)}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkSRPSignIn measures a whole USER_SRP_AUTH sign-in through the
// HTTP handler, as amazon-cognito-identity-js performs it: InitiateAuth
// (the server draws b and computes B with its fixed-base table) and
// RespondToAuthChallenge with PASSWORD_VERIFIER (the server derives the key
// with two 3072-bit exponentiations, verifies the claim, and signs two
// tokens). The client's own SRP work is not timed.
func BenchmarkSRPSignIn(b *testing.B) {
	a, srv := newTestApp(b)
	poolID, clientID := seedUser(b, srv.URL, "bench-user", "Bench-Pass1!")
	h := a.Handler()
	post := func(op string, body []byte) map[string]any {
		r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("%s: %d %s", op, w.Code, w.Body)
		}
		var m map[string]any
		json.Unmarshal(w.Body.Bytes(), &m)
		return m
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c, err := srp.NewClient(srp.PoolName(poolID))
		if err != nil {
			b.Fatal(err)
		}
		initBody := []byte(fmt.Sprintf(`{"ClientId":%q,"AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"bench-user","SRP_A":%q}}`, clientID, c.AHex()))
		b.StartTimer()
		ch := post("InitiateAuth", initBody)
		b.StopTimer()
		p := ch["ChallengeParameters"].(map[string]any)
		userID := p["USER_ID_FOR_SRP"].(string)
		key, err := c.Key(userID, "Bench-Pass1!", p["SALT"].(string), p["SRP_B"].(string))
		if err != nil {
			b.Fatal(err)
		}
		block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"].(string))
		ts := srp.FormatTimestamp(time.Now())
		resp, _ := json.Marshal(map[string]any{
			"ClientId": clientID, "ChallengeName": "PASSWORD_VERIFIER", "Session": ch["Session"],
			"ChallengeResponses": map[string]string{
				"USERNAME": userID, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"].(string), "TIMESTAMP": ts,
				"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, srp.PoolName(poolID), userID, block, ts)),
			},
		})
		b.StartTimer()
		out := post("RespondToAuthChallenge", resp)
		if out["AuthenticationResult"] == nil {
			b.Fatalf("no tokens: %v", out)
		}
	}
}
