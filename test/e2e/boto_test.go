package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBotocoreRoundTrip runs testdata/boto_roundtrip.py: boto3 creates a
// pool, a client and a user, answers NEW_PASSWORD_REQUIRED, calls GetUser
// and an unsigned InitiateAuth. The Go side then verifies the tokens it
// printed against the JWKS.
func TestBotocoreRoundTrip(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	ctx := testContext(t, testTimeout)
	probe := exec.CommandContext(ctx, python, "-c", "import boto3")
	probe.Env = clientEnv()
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("boto3 is not importable: %v\n%s", err, out)
	}
	srv := startServer(t, t.TempDir())

	script, err := filepath.Abs(filepath.Join("testdata", "boto_roundtrip.py"))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 2*callTimeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, python, script, srv.URL)
	cmd.Env = clientEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto_roundtrip.py: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	var out struct {
		PoolID            string `json:"pool_id"`
		ClientID          string `json:"client_id"`
		Username          string `json:"username"`
		Email             string `json:"email"`
		IDToken           string `json:"id_token"`
		AccessToken       string `json:"access_token"`
		PublicIDToken     string `json:"public_id_token"`
		PublicAccessToken string `json:"public_access_token"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("boto_roundtrip.py output: %v\n%s", err, stdout.String())
	}
	keys := fetchJWKS(t, ctx, srv.URL, out.PoolID)
	want := tokenExpect{issuer: srv.URL + "/" + out.PoolID, clientID: out.ClientID, username: out.Username, email: out.Email}
	checkTokens(t, out.IDToken, out.AccessToken, keys, want)
	checkTokens(t, out.PublicIDToken, out.PublicAccessToken, keys, want)
}
