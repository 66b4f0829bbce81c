package notify

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

func openStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newTestSMTP returns a deliverer with retries and leases short enough for
// tests.
func newTestSMTP(t *testing.T, cfg SMTPConfig, st store.ObjectStore) *SMTP {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "Ninsho <no-reply@example.com>"
	}
	s, err := NewSMTP(cfg, st, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.Backoff, s.MaxBackoff, s.PollInterval = 10*time.Millisecond, 40*time.Millisecond, 50*time.Millisecond
	return s
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// run starts the worker and returns a function that stops it and waits.
func run(t *testing.T, s *SMTP) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// enqueue writes an outbox-like object and enqueues m in one transaction,
// as the outbox does.
func enqueue(t *testing.T, st store.ObjectStore, s *SMTP, m Message) {
	t.Helper()
	ctx := context.Background()
	err := st.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.CreateObject(ctx, store.Object{Kind: "test.outbox", Key: m.ID, Value: []byte(`{}`)}); err != nil {
			return err
		}
		return s.Enqueue(ctx, tx, m)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func email(id, to string) Message {
	return Message{ID: id, PoolID: "us-east-1_abc", Username: "alice", Kind: KindSignUp, Medium: Email,
		To: to, Subject: "Your verification code", Body: "Your verification code is 123456.", Code: "123456",
		CreatedAt: time.Now()}
}

func jobs(t *testing.T, st store.ObjectStore) []store.Object {
	t.Helper()
	objs, err := st.ListObjects(context.Background(), SMTPJobKind, "", store.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func jobOf(t *testing.T, o store.Object) smtpJob {
	t.Helper()
	var j smtpJob
	if err := json.Unmarshal(o.Value, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func plainURL(r *receiver) string { return "smtp://" + r.addr + "?starttls=off" }

func TestSMTPDeliversAnEmailEnqueuedInATransaction(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)

	enqueue(t, st, s, email("m1", "alice@example.com"))
	sms := Message{ID: "m2", PoolID: "us-east-1_abc", Kind: KindMFA, Medium: SMS, To: "+15555550100", Body: "Your code is 999999", Code: "999999"}
	enqueue(t, st, s, sms)

	js := jobs(t, st)
	if len(js) != 1 {
		t.Fatalf("%d jobs, want 1 (SMS messages stay in the outbox)", len(js))
	}
	if strings.Contains(string(js[0].Value), `"code"`) {
		t.Fatalf("the job keeps the code field: %s", js[0].Value)
	}

	// The janitor's sweep of expired objects leaves jobs alone.
	if _, err := st.DeleteExpiredObjects(context.Background(), time.Now().Add(24*time.Hour)); err != nil || len(jobs(t, st)) != 1 {
		t.Fatalf("after the janitor's sweep: %v, %d jobs", err, len(jobs(t, st)))
	}

	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	waitFor(t, "the job to be deleted", func() bool { return len(jobs(t, st)) == 0 })

	got := r.messages()[0]
	if got.from != "no-reply@example.com" || len(got.to) != 1 || got.to[0] != "alice@example.com" {
		t.Fatalf("envelope from %q to %q", got.from, got.to)
	}
	p := parseReceived(t, got)
	for h, want := range map[string]string{
		"From":       `"Ninsho" <no-reply@example.com>`,
		"To":         "<alice@example.com>",
		"Subject":    "Your verification code",
		"Message-Id": "<m1@example.com>",
	} {
		if g := p.header.Get(h); g != want {
			t.Errorf("%s: %q, want %q", h, g, want)
		}
	}
	if !strings.HasPrefix(p.header.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type %q", p.header.Get("Content-Type"))
	}
	if p.body != "Your verification code is 123456." {
		t.Errorf("body %q", p.body)
	}
	if len(r.messages()) != 1 {
		t.Fatalf("%d messages, want 1", len(r.messages()))
	}
}

func TestSMTPSendsAnHTMLBodyAsHTML(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)
	m := email("h1", "bob@example.com")
	m.Body = `<p>Your code is <b>424242</b></p>`
	enqueue(t, st, s, m)
	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	p := parseReceived(t, r.messages()[0])
	if !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || p.body != m.Body {
		t.Fatalf("Content-Type %q, body %q", p.header.Get("Content-Type"), p.body)
	}
}

func TestSMTPEnqueueIsUndoneWithItsTransaction(t *testing.T) {
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: "smtp://127.0.0.1:1?starttls=off"}, st)
	ctx := context.Background()
	boom := errors.New("the outbox write failed")
	err := st.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := s.Enqueue(ctx, tx, email("r1", "carol@example.com")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InObjectTx = %v", err)
	}
	if n := len(jobs(t, st)); n != 0 {
		t.Fatalf("%d jobs after a rolled-back transaction", n)
	}
	// A message without a usable address is left to the outbox, without
	// failing the transaction.
	enqueue(t, st, s, email("r2", "not an address"))
	if n := len(jobs(t, st)); n != 0 {
		t.Fatalf("%d jobs for an unusable address", n)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	cert, roots := selfSignedCert(t)
	for _, tc := range []struct {
		name, query string
		roots       *x509.CertPool
		wantMech    string
	}{
		{"AUTH PLAIN after STARTTLS, trusting the certificate", "starttls=required&auth=plain", roots, "PLAIN"},
		{"AUTH LOGIN after STARTTLS", "auth=login", roots, "LOGIN"},
		{"auth=auto picks PLAIN", "", roots, "PLAIN"},
		{"tls_insecure accepts a self-signed certificate", "tls_insecure=true", nil, "PLAIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t, &receiver{users: map[string]string{"mailer": "s3cret pass"}}, receiverOptions{cert: cert})
			st := openStore(t, t.TempDir())
			// The password comes apart from the URL (NINSHO_SMTP_PASSWORD).
			s := newTestSMTP(t, SMTPConfig{URL: "smtp://mailer@" + r.addr + "?" + tc.query, Password: "s3cret pass", RootCAs: tc.roots}, st)
			enqueue(t, st, s, email("t1", "dave@example.com"))
			run(t, s)
			waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
			if !r.messages()[0].tls {
				t.Fatal("the message did not come over TLS")
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if len(r.mechs) != 1 || r.mechs[0] != tc.wantMech {
				t.Fatalf("authenticated with %v, want %s", r.mechs, tc.wantMech)
			}
		})
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	cert, roots := selfSignedCert(t)
	r := startReceiver(t, &receiver{users: map[string]string{"mailer": "pw"}}, receiverOptions{cert: cert, implicitTLS: true})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: "smtps://mailer:pw@" + r.addr, RootCAs: roots}, st)
	enqueue(t, st, s, email("s1", "erin@example.com"))
	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	if !r.messages()[0].tls {
		t.Fatal("the message did not come over TLS")
	}
}

func TestSMTPFailedConnectionsAreRetriedNotDelivered(t *testing.T) {
	cert, _ := selfSignedCert(t)
	for _, tc := range []struct{ name, url string }{
		{"an untrusted certificate", "smtp://mailer:pw@%s"},
		{"a wrong password", "smtp://mailer:wrong@%s?tls_insecure=true"},
		{"STARTTLS required but not offered", "smtp://%s?starttls=required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := receiverOptions{cert: cert}
			users := map[string]string{"mailer": "pw"}
			if strings.Contains(tc.name, "not offered") {
				opts, users = receiverOptions{}, nil
			}
			r := startReceiver(t, &receiver{users: users}, opts)
			st := openStore(t, t.TempDir())
			s := newTestSMTP(t, SMTPConfig{URL: fmt.Sprintf(tc.url, r.addr)}, st)
			s.Backoff, s.MaxBackoff = time.Hour, time.Hour
			enqueue(t, st, s, email("f1", "frank@example.com"))
			run(t, s)
			waitFor(t, "a failed attempt", func() bool {
				js := jobs(t, st)
				return len(js) == 1 && jobOf(t, js[0]).LastError != ""
			})
			j := jobOf(t, jobs(t, st)[0])
			if j.Attempts != 1 || j.Owner != "" {
				t.Fatalf("job after a failed attempt: %+v", j)
			}
			if strings.Contains(j.LastError, "wrong") {
				t.Fatalf("the error repeats the password: %s", j.LastError)
			}
			if n := len(r.messages()); n != 0 {
				t.Fatalf("%d messages delivered", n)
			}
		})
	}
}

func TestSMTPRetriesATemporaryRefusalAndDeliversOnce(t *testing.T) {
	r := startReceiver(t, &receiver{refuse: 2, refuseWith: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)
	enqueue(t, st, s, email("t1", "grace@example.com"))
	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	waitFor(t, "the job to be deleted", func() bool { return len(jobs(t, st)) == 0 })
	time.Sleep(200 * time.Millisecond)
	if n, rc := len(r.messages()), r.rcptCount(); n != 1 || rc != 3 {
		t.Fatalf("%d messages after %d RCPT commands, want 1 after 3", n, rc)
	}
}

func TestSMTPGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      int
		wantTries int
	}{
		{"after MaxAttempts temporary refusals", 451, 3},
		{"at once on a permanent refusal", 550, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startReceiver(t, &receiver{refuse: 1000, refuseWith: &smtp.SMTPError{Code: tc.code, Message: "no"}}, receiverOptions{})
			st := openStore(t, t.TempDir())
			s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)
			s.MaxAttempts = 3
			enqueue(t, st, s, email("g1", "heidi@example.com"))
			run(t, s)
			waitFor(t, "the job to be dropped", func() bool { return len(jobs(t, st)) == 0 })
			time.Sleep(200 * time.Millisecond)
			if rc := r.rcptCount(); rc != tc.wantTries {
				t.Fatalf("%d attempts, want %d", rc, tc.wantTries)
			}
			// The outbox's copy is not SMTP's to delete.
			if _, err := st.GetObject(context.Background(), "test.outbox", "g1"); err != nil {
				t.Fatalf("outbox copy: %v", err)
			}
		})
	}
}

func TestSMTPANewInstanceDeliversPendingJobs(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	dir := t.TempDir()
	cfg := SMTPConfig{URL: plainURL(r)}

	// The first instance enqueues and stops before its worker ran; a job
	// of a worker that died holding its lease is there too.
	first, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	s1 := newTestSMTP(t, cfg, first)
	enqueue(t, first, s1, email("p1", "ivan@example.com"))
	leased, _ := json.Marshal(smtpJob{Message: email("p2", "judy@example.com"), Attempts: 1, Owner: "dead-worker"})
	leaseEnd := time.Now().Add(300 * time.Millisecond)
	if err := first.CreateObject(context.Background(), store.Object{Kind: SMTPJobKind, Key: jobKey(leaseEnd, "p2"), Value: leased}); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second := openStore(t, dir)
	s2 := newTestSMTP(t, cfg, second)
	run(t, s2)
	waitFor(t, "both messages", func() bool { return len(r.messages()) == 2 })
	waitFor(t, "no job left", func() bool { return len(jobs(t, second)) == 0 })
	ids := map[string]bool{}
	for _, m := range r.messages() {
		ids[parseReceived(t, m).header.Get("Message-Id")] = true
	}
	if !ids["<p1@example.com>"] || !ids["<p2@example.com>"] {
		t.Fatalf("delivered %v", ids)
	}
	if time.Now().Before(leaseEnd) {
		t.Fatal("the leased job was sent before its lease ended")
	}
}

func TestSMTPDropsUnreadableJobsAndSendsTheRest(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	for _, o := range []store.Object{
		{Kind: SMTPJobKind, Key: "not-a-time", Value: []byte(`{}`)},
		{Kind: SMTPJobKind, Key: jobKey(past, "bad-json"), Value: []byte(`{"message":`)},
	} {
		if err := st.CreateObject(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	enqueue(t, st, s, email("u1", "trent@example.com"))
	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	waitFor(t, "no job left", func() bool { return len(jobs(t, st)) == 0 })
}

func TestSMTPTwoWorkersOnOneStoreDeliverEachMessageOnce(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	dir := t.TempDir()
	cfg := SMTPConfig{URL: plainURL(r)}
	a, b := openStore(t, dir), openStore(t, dir)
	sa, sb := newTestSMTP(t, cfg, a), newTestSMTP(t, cfg, b)
	const n = 30
	for i := range n {
		s, st := sa, store.ObjectStore(a)
		if i%2 == 1 {
			s, st = sb, b
		}
		enqueue(t, st, s, email(fmt.Sprintf("w%02d", i), fmt.Sprintf("user%d@example.com", i)))
	}
	run(t, sa)
	run(t, sb)
	waitFor(t, "every message", func() bool { return len(r.messages()) >= n })
	waitFor(t, "no job left", func() bool { return len(jobs(t, a)) == 0 })
	time.Sleep(300 * time.Millisecond)
	seen := map[string]int{}
	for _, m := range r.messages() {
		seen[parseReceived(t, m).header.Get("Message-Id")]++
	}
	if len(seen) != n || len(r.messages()) != n {
		t.Fatalf("%d messages, %d distinct, want %d of each", len(r.messages()), len(seen), n)
	}
}

func TestSMTPRunStopsPromptlyAndHandsTheJobBack(t *testing.T) {
	r := startReceiver(t, &receiver{hold: make(chan struct{}), inData: make(chan struct{})}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r) + "&timeout=30s"}, st)
	enqueue(t, st, s, email("c1", "mallory@example.com"))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-r.inData:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not start sending")
	}
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return within 3s of cancel while a send hung")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %v to stop", d)
	}
	js := jobs(t, st)
	if len(js) != 1 {
		t.Fatalf("%d jobs after stopping mid-send, want 1", len(js))
	}
	j := jobOf(t, js[0])
	due, _ := jobKeyDue(js[0].Key)
	if j.Attempts != 0 || j.Owner != "" || due.After(time.Now()) {
		t.Fatalf("the job was not handed back due now: %+v due %v", j, due)
	}
}

func TestSMTPBackoffDoublesUpToTheCap(t *testing.T) {
	s := &SMTP{Backoff: time.Second, MaxBackoff: 10 * time.Second}
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 30: 10 * time.Second} {
		for range 20 {
			got := s.backoff(attempts)
			if got < want*8/10 || got > want*12/10 {
				t.Fatalf("backoff(%d) = %v, want %v ±20%%", attempts, got, want)
			}
		}
	}
}

func TestSMTPJobKeysSortByDueTime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	k1, k2 := jobKey(t0, "zzz"), jobKey(t0.Add(time.Nanosecond), "aaa")
	if !(k1 < k2) {
		t.Fatalf("%q does not sort before %q", k1, k2)
	}
	if due, ok := jobKeyDue(k1); !ok || !due.Equal(t0) {
		t.Fatalf("jobKeyDue(%q) = %v, %v", k1, due, ok)
	}
	if _, ok := jobKeyDue("garbage"); ok {
		t.Fatal("a malformed key parsed")
	}
}

func TestSMTPConfig(t *testing.T) {
	const secret = "hunter2-secret"
	for _, tc := range []struct {
		name    string
		cfg     SMTPConfig
		want    smtpTarget
		wantErr []string
	}{
		{"STARTTLS submission with a user", SMTPConfig{URL: "smtp://u:" + secret + "@mail.example.com:587?starttls=required", From: "a@example.com"},
			smtpTarget{host: "mail.example.com", port: 587, user: "u", pass: secret, starttls: "required", auth: "auto", timeout: 15 * time.Second, from: "<a@example.com>", fromDomain: "example.com"}, nil},
		{"implicit TLS defaults to 465", SMTPConfig{URL: "smtps://mail.example.com", From: "a@example.com"},
			smtpTarget{host: "mail.example.com", port: 465, implicitTLS: true, starttls: "required", auth: "auto", timeout: 15 * time.Second, from: "<a@example.com>", fromDomain: "example.com"}, nil},
		{"a local catcher without TLS", SMTPConfig{URL: "smtp://localhost:1025?starttls=off&timeout=3s", From: "Ninsho <n@example.com>"},
			smtpTarget{host: "localhost", port: 1025, starttls: "off", auth: "auto", timeout: 3 * time.Second, from: `"Ninsho" <n@example.com>`, fromDomain: "example.com"}, nil},
		{"the password from the environment", SMTPConfig{URL: "smtp://u@h?auth=login&tls_insecure=true", From: "a@example.com", Password: secret},
			smtpTarget{host: "h", port: 587, user: "u", pass: secret, starttls: "required", auth: "login", insecure: true, timeout: 15 * time.Second, from: "<a@example.com>", fromDomain: "example.com"}, nil},
		{"every problem at once", SMTPConfig{URL: "imap://u:" + secret + "@h:99999/x?starttls=maybe&auth=cram&timeout=forever&tls_insecure=sure&colour=red"},
			smtpTarget{}, []string{"scheme", "path", "port", "starttls", "auth", "timeout", "tls_insecure", "colour", "smtp-from: required"}},
		{"the password twice", SMTPConfig{URL: "smtp://u:" + secret + "@h", From: "a@example.com", Password: secret}, smtpTarget{}, []string{"give it once"}},
		{"a password without a user", SMTPConfig{URL: "smtp://h", From: "a@example.com", Password: secret}, smtpTarget{}, []string{"names no user"}},
		{"starttls with smtps", SMTPConfig{URL: "smtps://h?starttls=off", From: "a@example.com"}, smtpTarget{}, []string{"does not apply"}},
		{"a bad From", SMTPConfig{URL: "smtp://h", From: "nobody"}, smtpTarget{}, []string{"smtp-from"}},
		{"no host", SMTPConfig{URL: "smtp://:25", From: "a@example.com"}, smtpTarget{}, []string{"no host"}},
		{"an unparsable URL", SMTPConfig{URL: "smtp://u:" + secret + "%zz@h", From: "a@example.com"}, smtpTarget{}, []string{"not a valid URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cfg.parse()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parse = %v", err)
				}
				if got != tc.want {
					t.Fatalf("parse = %+v\nwant     %+v", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatal("parse = nil, want an error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), url.QueryEscape(secret)) {
				t.Errorf("the error shows the password: %q", err)
			}
		})
	}
	if r := (SMTPConfig{URL: "smtp://u:" + secret + "@h:25"}).Redacted(); strings.Contains(r, secret) || !strings.Contains(r, "u:xxxxx@h:25") {
		t.Fatalf("Redacted = %q", r)
	}
}

func TestSMTPSealsQueuedBodiesUnderTheMasterKey(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	st := openStore(t, t.TempDir())
	key := []byte("0123456789abcdef0123456789abcdef")
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r), MasterKey: key}, st)
	m := email("k1", "olivia@example.com")
	m.Body = "Your username is olivia and temporary password is Tmp-Pa55!"
	enqueue(t, st, s, m)
	js := jobs(t, st)
	if len(js) != 1 || strings.Contains(string(js[0].Value), "Tmp-Pa55") || jobOf(t, js[0]).SealedBody == nil {
		t.Fatalf("the queued job shows its body: %s", js[0].Value)
	}

	// An instance with another master key cannot open it: dropped at once.
	other := newTestSMTP(t, SMTPConfig{URL: plainURL(r), MasterKey: []byte("another key, also 32 characters!")}, st)
	stop := run(t, other)
	waitFor(t, "the job to be dropped", func() bool { return len(jobs(t, st)) == 0 })
	stop()
	if r.rcptCount() != 0 {
		t.Fatal("a message was sent with a body that could not be opened")
	}

	enqueue(t, st, s, email("k2", "olivia@example.com"))
	run(t, s)
	waitFor(t, "the message", func() bool { return len(r.messages()) == 1 })
	if p := parseReceived(t, r.messages()[0]); p.body != "Your verification code is 123456." {
		t.Fatalf("body %q", p.body)
	}
}

func TestSMTPASteadyStreamOfEnqueuesDoesNotDelaySending(t *testing.T) {
	r := startReceiver(t, &receiver{}, receiverOptions{})
	st := openStore(t, t.TempDir())
	s := newTestSMTP(t, SMTPConfig{URL: plainURL(r)}, st)
	s.PollInterval = time.Hour // only the wake-ups make it look
	run(t, s)
	// Enqueues back to back, each waking the worker.
	stopStream := make(chan struct{})
	streamDone := make(chan struct{})
	go func() {
		defer close(streamDone)
		end := time.Now().Add(5 * time.Second)
		for i := 0; time.Now().Before(end); i++ {
			select {
			case <-stopStream:
				return
			default:
				ctx := context.Background()
				if err := st.InObjectTx(ctx, func(tx store.ObjectTx) error {
					return s.Enqueue(ctx, tx, email(fmt.Sprintf("s%04d", i), "peggy@example.com"))
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	defer func() { close(stopStream); <-streamDone }()
	start := time.Now()
	waitFor(t, "a message while enqueues keep coming", func() bool { return len(r.messages()) > 0 })
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the first message took %v while enqueues kept coming", d)
	}
}

// BenchmarkSMTPEnqueue is what SMTP adds to the outbox's transaction.
func BenchmarkSMTPEnqueue(b *testing.B) {
	st, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := NewSMTP(SMTPConfig{URL: "smtp://127.0.0.1:1?starttls=off", From: "a@example.com"}, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, withSMTP := range []bool{false, true} {
		b.Run(fmt.Sprintf("smtp=%v", withSMTP), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				id := fmt.Sprintf("b%v-%d", withSMTP, i)
				err := st.InObjectTx(ctx, func(tx store.ObjectTx) error {
					if err := tx.CreateObject(ctx, store.Object{Kind: "test.outbox", Key: id, Value: []byte(`{"body":"Your code is 123456"}`)}); err != nil {
						return err
					}
					if !withSMTP {
						return nil
					}
					return s.Enqueue(ctx, tx, email(id, "bench@example.com"))
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSMTPDelivery is one worker's throughput to a loopback receiver
// (a session per message: claim, send, delete).
func BenchmarkSMTPDelivery(b *testing.B) {
	r := startReceiver(b, &receiver{}, receiverOptions{})
	st, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := NewSMTP(SMTPConfig{URL: plainURL(r), From: "a@example.com"}, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range b.N {
		if err := st.InObjectTx(ctx, func(tx store.ObjectTx) error {
			return s.Enqueue(ctx, tx, email(fmt.Sprintf("d%06d", i), "bench@example.com"))
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(rctx) }()
	deadline := time.Now().Add(time.Minute)
	for len(r.messages()) < b.N {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d delivered in a minute", len(r.messages()), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	cancel()
	<-done
}
