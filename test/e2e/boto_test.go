package e2e

import (
	"encoding/json"
	"testing"
)

// TestBotocoreRoundTrip runs testdata/boto_roundtrip.py: boto3 creates a
// pool, a client and a user, answers NEW_PASSWORD_REQUIRED, calls GetUser
// and an unsigned InitiateAuth. The Go side then verifies the tokens it
// printed against the JWKS.
func TestBotocoreRoundTrip(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())

	stdout := runPython(t, ctx, python, "boto_roundtrip.py", 2*callTimeout, srv.URL)
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
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("boto_roundtrip.py output: %v\n%s", err, string(stdout))
	}
	keys := fetchJWKS(t, ctx, srv.URL, out.PoolID)
	want := tokenExpect{issuer: srv.URL + "/" + out.PoolID, clientID: out.ClientID, username: out.Username, email: out.Email}
	checkTokens(t, out.IDToken, out.AccessToken, keys, want)
	checkTokens(t, out.PublicIDToken, out.PublicAccessToken, keys, want)
}
