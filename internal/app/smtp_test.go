package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ninsho/ninsho/internal/config"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

// mailbox is an SMTP server on loopback that keeps the messages it accepts.
type mailbox struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return mailboxSession{m}, nil }

type mailboxSession struct{ m *mailbox }

func (mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (mailboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (mailboxSession) Reset()                               {}
func (mailboxSession) AuthMechanisms() []string             { return []string{sasl.Plain} }
func (mailboxSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "app-test-secret" {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}
func (mailboxSession) Logout() error { return nil }
func (s mailboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, b)
	s.m.mu.Unlock()
	return err
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

func TestWithoutSMTPThereIsNoDeliverer(t *testing.T) {
	a, _ := newTestApp(t)
	if a.Deliverer() != nil {
		t.Fatal("a deliverer without --smtp-url")
	}
}

func TestRunDeliversByTheSMTPWorkerAndStopsIt(t *testing.T) {
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.SMTPURL = "smtp://mailer@" + ln.Addr().String() + "?starttls=off"
	cfg.SMTPPassword = "app-test-secret"
	cfg.SMTPFrom = "no-reply@example.com"
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))

	// Another instance on the same store (or the outbox of this one)
	// enqueues; the worker Run starts sends.
	st, err := sqlite.Open(context.Background(), cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other, err := notify.NewSMTP(notify.SMTPConfig{URL: "smtp://" + ln.Addr().String() + "?starttls=off", From: cfg.SMTPFrom}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctxBg := context.Background()
	if err := st.InObjectTx(ctxBg, func(tx store.ObjectTx) error {
		return other.Enqueue(ctxBg, tx, notify.Message{ID: "app1", Medium: notify.Email, To: "zoe@example.com", Subject: "Hi", Body: "Your code is 1"})
	}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, logger) }()
	deadline := time.Now().Add(10 * time.Second)
	for box.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the SMTP worker of Run delivered nothing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(logs.String(), "smtp delivery on") || strings.Contains(logs.String(), cfg.SMTPPassword) {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

func TestNewRefusesABadSMTPConfiguration(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.SMTPURL = "smtp://h?starttls=sometimes"
	if _, err := New(context.Background(), cfg, "http://127.0.0.1", slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("New accepted a bad SMTP URL")
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
