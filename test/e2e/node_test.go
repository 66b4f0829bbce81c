package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeScript runs test/node/<script> with node against srv and reports each
// "ok - …" / "not ok - …" line it prints as a subtest (the "# " lines before
// a "not ok" are its error). The npm packages are
// installed by scripts/test.sh (npm ci in test/node); without them the test
// is skipped, unless NINSHO_REQUIRE_NODE=1 (set by scripts/test.sh, so CI
// never skips it).
func nodeScript(t *testing.T, srv *server, script string, env ...string) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "test", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "amazon-cognito-identity-js")); err != nil {
		if os.Getenv("NINSHO_REQUIRE_NODE") == "1" {
			t.Fatalf("test/node/node_modules is missing: run `npm ci` in test/node (scripts/test.sh does)")
		}
		t.Skip("test/node/node_modules is missing: run `npm ci` in test/node, or the whole suite with `make test`")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	ctx := testContext(t, 2*time.Minute)
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(filterEnv(os.Environ(), "AWS_", "NINSHO_"),
		append([]string{"NINSHO_ENDPOINT=" + srv.URL, "NINSHO_REGION=us-east-1"}, env...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	steps := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var detail []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok - "):
			steps++
			t.Run(strings.TrimPrefix(line, "ok - "), func(t *testing.T) {})
		case strings.HasPrefix(line, "not ok - "):
			steps++
			body := strings.Join(detail, "\n")
			t.Run(strings.TrimPrefix(line, "not ok - "), func(t *testing.T) { t.Error(body) })
			detail = nil
		case strings.HasPrefix(line, "# "):
			detail = append(detail, strings.TrimPrefix(line, "# "))
		default:
			detail = append(detail, line)
		}
	}
	err = cmd.Wait()
	if err != nil || steps == 0 {
		t.Fatalf("node %s: %v (%d steps)\nstdout (unmatched):\n%s\nstderr:\n%s", script, err, steps, strings.Join(detail, "\n"), stderr.String())
	}
}

// TestNodeClients drives the user-pool lifecycle with the npm clients apps
// use: @aws-sdk/client-cognito-identity-provider for the admin side,
// amazon-cognito-identity-js (SRP sign-in, NEW_PASSWORD_REQUIRED,
// attributes, refresh, global sign-out) and aws-jwt-verify's
// CognitoJwtVerifier for every token. The issuer is Cognito's own form, so
// that the verifier's issuer check is the real one.
func TestNodeClients(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--issuer-base", "https://cognito-idp.us-east-1.amazonaws.com")
	nodeScript(t, srv, "lifecycle.mjs")
}
