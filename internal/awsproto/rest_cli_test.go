package awsproto

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRESTWithAWSCLI drives the handler with the real aws CLI when it is
// installed (skipped otherwise, and with -short).
func TestRESTWithAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	fake := &fakeGateway{}
	h, _ := newRESTHandler(fake)
	srv := httptest.NewServer(h)
	defer srv.Close()
	aws := func(args ...string) (map[string]any, string, error) {
		cmd := exec.Command("aws", append([]string{"--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json", "apigatewayv2"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var m map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if jerr := json.Unmarshal(out, &m); jerr != nil {
				t.Fatalf("aws %v: %v: %s", args, jerr, out)
			}
		}
		return m, stderr.String(), err
	}
	m, stderr, err := aws("create-api", "--name", "demo", "--protocol-type", "HTTP", "--tags", "env=test")
	if err != nil || m["ApiId"] != "a1b2c3" || m["Name"] != "demo" || m["CreatedDate"] == nil {
		t.Fatalf("create-api: %v %v %s", m, err, stderr)
	}
	m, stderr, err = aws("create-route", "--api-id", "a1b2c3", "--route-key", "GET /pets")
	if err != nil || m["RouteId"] != "r1" || m["RouteKey"] != "GET /pets" {
		t.Fatalf("create-route: %v %v %s", m, err, stderr)
	}
	m, stderr, err = aws("get-routes", "--api-id", "a1b2c3", "--max-results", "5", "--no-paginate")
	if items, _ := m["Items"].([]any); err != nil || len(items) != 1 {
		t.Fatalf("get-routes: %v %v %s", m, err, stderr)
	}
	if _, stderr, err = aws("delete-api", "--api-id", "a1b2c3"); err != nil {
		t.Fatalf("delete-api: %v %s", err, stderr)
	}
	_, stderr, err = aws("get-api", "--api-id", "missing")
	if err == nil || !strings.Contains(stderr, "(NotFoundException)") || !strings.Contains(stderr, "Invalid API identifier specified missing") {
		t.Fatalf("get-api on a missing API: %v %s", err, stderr)
	}
	_, stderr, err = aws("get-stages", "--api-id", "a1b2c3")
	if err == nil || !strings.Contains(stderr, "(NotImplementedException)") {
		t.Fatalf("get-stages: %v %s", err, stderr)
	}
}
