package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// testTimeout bounds one top-level test, server start included. The
	// longest tests run dozens of CLI processes and SRP sign-ins; on two
	// busy cores they have taken over a minute.
	testTimeout = 3 * time.Minute
	// callTimeout bounds one client call (CLI process, SDK or HTTP request):
	// a hanging server fails the call well before testTimeout.
	callTimeout = 20 * time.Second
	// healthTimeout bounds the wait for GET /health after a start.
	healthTimeout = 15 * time.Second
	// stopGrace is how long a SIGTERMed server gets before it is killed.
	stopGrace = 5 * time.Second

	region    = "us-east-1"
	accessKey = "test"
	secretKey = "test"
	account   = "000000000000"
)

// ninshoBin is the binary TestMain builds.
var ninshoBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ninsho-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ninshoBin = filepath.Join(dir, "ninsho")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", ninshoBin, "./cmd/ninsho")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/ninsho: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// testContext returns a context cancelled when the test ends or after d.
func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// server is a running ninsho process.
type server struct {
	t       *testing.T
	dataDir string
	args    []string // extra arguments of serve
	port    int
	Addr    string // 127.0.0.1:port
	URL     string // http://127.0.0.1:port

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{} // closed when cmd has exited
	stderr *lockedBuffer // every run's stderr, in order
}

// lockedBuffer is an io.Writer safe for the exec copier and test readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// since returns what was written after the first n bytes.
func (b *lockedBuffer) since(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf.Bytes()[n:])
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts `ninsho serve --listen 127.0.0.1:<free port> --data
// dataDir extraArgs...` and waits until /health answers. The server is
// stopped when the test ends; its stderr goes to the test log if the test
// failed.
//
// With NINSHO_E2E_BACKEND=postgres (scripts/test.sh runs the package a
// second time so), every server runs on a fresh PostgreSQL database of its
// own unless the test chose --db itself.
func startServer(t *testing.T, dataDir string, extraArgs ...string) *server {
	t.Helper()
	if os.Getenv("NINSHO_E2E_BACKEND") == "postgres" && !slices.Contains(extraArgs, "--db") {
		extraArgs = append([]string{"--db", postgresDB(t)}, extraArgs...)
	}
	s := &server{t: t, dataDir: dataDir, args: extraArgs, stderr: &lockedBuffer{}}
	t.Cleanup(func() {
		s.stop()
		logs := s.stderr.String()
		if t.Failed() || os.Getenv("E2E_SERVER_LOG") != "" {
			t.Logf("ninsho stderr (%s):\n%s", s.Addr, logs)
		}
		// The server logs level=ERROR for internal errors (and panics),
		// which a client only sees as a generic InternalErrorException.
		if strings.Contains(logs, "level=ERROR") {
			t.Errorf("ninsho logged errors (%s):\n%s", s.Addr, logs)
		}
	})
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.port, err = freePort(); err != nil {
			t.Fatalf("free port: %v", err)
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
		s.URL = "http://" + s.Addr
		if err = s.start(); err == nil {
			return s
		}
		// Another process may have taken the port between freePort and
		// the bind: try another one.
		if !strings.Contains(s.stderr.String(), "address already in use") {
			break
		}
	}
	t.Fatalf("start ninsho: %v", err)
	return nil
}

// freePort asks the kernel for an unused loopback port.
// It never answers the same port twice in one test run, so parallel tests
// do not race for a port one of them has just released.
func freePort() (int, error) {
	usedPorts.Lock()
	defer usedPorts.Unlock()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !usedPorts.m[port] {
			usedPorts.m[port] = true
			return port, nil
		}
	}
}

var usedPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// start runs the binary on s.Addr and waits for /health.
func (s *server) start() error {
	mark := s.stderr.len()
	var healthyAt time.Time
	args := append([]string{"serve", "--listen", s.Addr, "--data", s.dataDir}, s.args...)
	cmd := exec.Command(ninshoBin, args...)
	cmd.Stdout = s.stderr
	cmd.Stderr = s.stderr
	// The server must not see the developer's NINSHO_* settings.
	cmd.Env = filterEnv(os.Environ(), "NINSHO_")
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	deadline := time.Now().Add(healthTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-done:
			return fmt.Errorf("ninsho exited before it was healthy: %v", cmd.ProcessState)
		default:
		}
		resp, err := client.Get(s.URL + "/health")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var h struct{ Status string }
			if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &h) == nil && h.Status == "ok" {
				// Make sure the answer came from this process, not from
				// another program that took the port first: ours logs
				// its address once listening, or at least stays up.
				if strings.Contains(s.stderr.since(mark), s.Addr) {
					return nil
				}
				if healthyAt.IsZero() {
					healthyAt = time.Now()
				} else if time.Since(healthyAt) > 2*time.Second {
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("ninsho not healthy after %v (last error: %v)", healthTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and kills the process if it has not exited after
// stopGrace. It is a no-op when the server is not running.
func (s *server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopGrace):
		s.t.Logf("ninsho did not stop %v after SIGTERM; killing it", stopGrace)
		_ = cmd.Process.Kill()
		<-done
	}
}

// restart stops the server and starts it again on the same port and data
// directory. t is the (sub)test calling it: a failure stops that test.
func (s *server) restart(t testing.TB) {
	t.Helper()
	s.stop()
	if err := s.start(); err != nil {
		t.Fatalf("restart ninsho: %v", err)
	}
}

// filterEnv drops the variables whose names start with one of prefixes.
func filterEnv(env []string, prefixes ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// clientEnv is the environment of the AWS CLI and boto3: the test
// credentials and region, and none of the developer's AWS settings or
// shared files. HOME is kept: pyenv and pip --user installs need it.
func clientEnv() []string {
	env := filterEnv(os.Environ(), "AWS_", "BOTO_")
	return append(env,
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_DEFAULT_REGION="+region,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		// One attempt: a failing or hanging server must show, not be
		// retried into the test timeout.
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"AWS_PAGER=",
	)
}

// httpDo sends req with callTimeout and returns the status, headers and body.
func httpDo(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), callTimeout)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// getJSON GETs url, expects 200 and decodes the body into v.
func getJSON(t *testing.T, ctx context.Context, url string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := httpDo(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// mustStep runs a sequential step as a subtest and stops the test when it
// fails: later steps need its results.
func mustStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}
