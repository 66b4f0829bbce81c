package e2e

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestQuotasWithBoto3 runs a server with Cognito's request-rate quotas on
// (one user creation per second, one request per user per second: buckets
// hold one second of their rate, so the second call of a quick pair is over
// the quota even on a slow machine) and
// checks what boto3 sees: TooManyRequestsException "Rate exceeded" without
// retries, a success with botocore's standard retries (it treats the error
// as throttling), and per-user quotas that do not spill over to other users.
// Quotas are off by default: every other e2e test runs without them.
func TestQuotasWithBoto3(t *testing.T) {
	t.Parallel()
	python := requireBoto3(t)
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir(), "--quotas", "cognito,UserCreation=1,PerUser=1")
	stdout := runPython(t, ctx, python, "boto_quota.py", 4*callTimeout, srv.URL)
	var seen struct {
		Created   int `json:"created"`
		Throttled *struct {
			Code, Message string
			Status        int
		} `json:"throttled"`
		RetriedOK   bool     `json:"retried_ok"`
		ReadsUser0  []string `json:"reads_user0"`
		OtherUserOK bool     `json:"other_user_ok"`
	}
	if err := json.Unmarshal(stdout, &seen); err != nil {
		t.Fatalf("output: %v\n%s", err, string(stdout))
	}
	if seen.Created != 1 || seen.Throttled == nil {
		t.Fatalf("UserCreation=1: created %d, throttled %+v; want 1 and a throttled second", seen.Created, seen.Throttled)
	}
	if seen.Throttled.Code != "TooManyRequestsException" || seen.Throttled.Message != "Rate exceeded" || seen.Throttled.Status != 400 {
		t.Errorf("throttled call: %+v", *seen.Throttled)
	}
	if !seen.RetriedOK {
		t.Error("the retried creation did not succeed")
	}
	// user0's creation was a write, a quota of its own; it now gets one
	// read per second.
	if want := []string{"ok", "TooManyRequestsException", "TooManyRequestsException"}; !reflect.DeepEqual(seen.ReadsUser0, want) {
		t.Errorf("reads of user0 = %v, want %v", seen.ReadsUser0, want)
	}
	if !seen.OtherUserOK {
		t.Error("another user was throttled")
	}
}
