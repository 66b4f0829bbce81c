package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// requireBoto3 returns the python3 that imports boto3, or skips the test
// (scripts/test.sh installs both, so CI never skips).
func requireBoto3(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	probe := exec.CommandContext(ctx, python, "-c", "import boto3")
	probe.Env = clientEnv()
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("boto3 is not importable: %v\n%s", err, out)
	}
	return python
}

// runPython runs testdata/<script> with args, bounded by limit, and returns
// what it printed; a failing script fails the test with its output.
func runPython(t *testing.T, ctx context.Context, python, script string, limit time.Duration, args ...string) []byte {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(runCtx, python, append([]string{path}, args...)...)
	cmd.Env = clientEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}
