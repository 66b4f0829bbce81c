package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/ninsho/ninsho/internal/randid"
	"github.com/ninsho/ninsho/internal/secretbox"
	"github.com/ninsho/ninsho/internal/store"
)

// SMTPConfig says where and how email messages are sent.
//
// URL has the form
//
//	smtp://[user[:password]@]host[:port][?starttls=required|opportunistic|off][&auth=auto|plain|login][&tls_insecure=true][&timeout=15s]
//	smtps://[user[:password]@]host[:port][?auth=…][&tls_insecure=true][&timeout=15s]
//
// smtp:// speaks plain SMTP and upgrades with STARTTLS (required by default;
// "off" is for local catchers such as MailHog or Mailpit); its default port
// is 587. smtps:// is implicit TLS (RFC 8314), default port 465. With a user,
// AUTH PLAIN or LOGIN (auth=auto picks the first the server offers) is used;
// both refuse to send credentials over an unencrypted connection to anything
// but localhost. tls_insecure=true skips the verification of the server's
// certificate, for a local server with a self-signed one only.
type SMTPConfig struct {
	URL string
	// From is the From of every message: an address, optionally with a
	// display name ("Ninsho <no-reply@example.com>").
	From string
	// Password is used when the URL carries none, so that it need not be on
	// a command line (NINSHO_SMTP_PASSWORD). Giving both is an error.
	Password string
	// RootCAs, when not nil, replaces the system's roots for verifying the
	// server's certificate (a private CA; tests).
	RootCAs *x509.CertPool
	// MasterKey, when set, seals the bodies of queued messages (which
	// carry codes and temporary passwords) in the store.
	MasterKey []byte
}

// smtpTarget is a parsed SMTPConfig.
type smtpTarget struct {
	host, user, pass string
	port             int
	implicitTLS      bool
	starttls         string // required, opportunistic, off
	auth             string // auto, plain, login
	insecure         bool
	timeout          time.Duration
	from, fromDomain string
	rootCAs          *x509.CertPool
}

const defaultSMTPTimeout = 15 * time.Second

// Redacted is the URL with the password replaced, for logs and errors.
func (c SMTPConfig) Redacted() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Validate reports every problem of c at once, never showing the password.
func (c SMTPConfig) Validate() error {
	_, err := c.parse()
	return err
}

func (c SMTPConfig) parse() (smtpTarget, error) {
	t := smtpTarget{timeout: defaultSMTPTimeout, starttls: "required", auth: "auto", rootCAs: c.RootCAs}
	var errs []error
	u, err := url.Parse(c.URL)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		var ue *url.Error
		var esc url.EscapeError
		if errors.As(err, &ue) && !errors.As(err, &esc) {
			return t, fmt.Errorf("smtp-url: not a valid URL: %v", ue.Err)
		}
		return t, errors.New("smtp-url: not a valid URL")
	}
	switch u.Scheme {
	case "smtp":
		t.port = mail.DefaultPortTLS
	case "smtps":
		t.port, t.implicitTLS = mail.DefaultPortSSL, true
	default:
		errs = append(errs, fmt.Errorf("smtp-url: scheme %q is neither smtp nor smtps", u.Scheme))
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") {
		errs = append(errs, errors.New("smtp-url: must be smtp://host[:port] or smtps://host[:port], without a path"))
	}
	t.host = u.Hostname()
	if t.host == "" {
		errs = append(errs, errors.New("smtp-url: no host"))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("smtp-url: bad port %q", p))
		}
		t.port = n
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
		if t.user == "" {
			errs = append(errs, errors.New("smtp-url: a password without a user name"))
		}
	}
	if c.Password != "" {
		if t.pass != "" {
			errs = append(errs, errors.New("smtp-url: the password is given both in the URL and in NINSHO_SMTP_PASSWORD; give it once"))
		}
		if t.user == "" {
			errs = append(errs, errors.New("smtp-url: NINSHO_SMTP_PASSWORD is set but the URL names no user (smtp://user@host)"))
		}
		t.pass = c.Password
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		errs = append(errs, errors.New("smtp-url: unparsable query"))
	}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		v := q[k][len(q[k])-1]
		switch k {
		case "starttls":
			switch {
			case t.implicitTLS:
				errs = append(errs, errors.New("smtp-url: starttls does not apply to smtps:// (TLS from the first byte)"))
			case v == "required" || v == "opportunistic" || v == "off":
				t.starttls = v
			default:
				errs = append(errs, fmt.Errorf("smtp-url: starttls=%q is not required, opportunistic or off", v))
			}
		case "auth":
			if v != "auto" && v != "plain" && v != "login" {
				errs = append(errs, fmt.Errorf("smtp-url: auth=%q is not auto, plain or login", v))
			}
			t.auth = v
		case "tls_insecure":
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("smtp-url: tls_insecure=%q is not a boolean", v))
			}
			t.insecure = b
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 5*time.Minute {
				errs = append(errs, fmt.Errorf("smtp-url: timeout=%q is not a duration between 0 and 5m", v))
			} else {
				t.timeout = d
			}
		default:
			errs = append(errs, fmt.Errorf("smtp-url: unknown parameter %q (known: starttls, auth, tls_insecure, timeout)", k))
		}
	}
	if c.From == "" {
		errs = append(errs, errors.New("smtp-from: required with smtp-url"))
	} else if a, err := netmail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("smtp-from: %q is not an email address", c.From))
	} else {
		t.from = a.String()
		t.fromDomain = a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	}
	return t, errors.Join(errs...)
}

// clientOptions are the go-mail options of t; dial is the dialer (see send).
func (t smtpTarget) clientOptions(dial mail.DialContextFunc) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(t.port),
		mail.WithTimeout(t.timeout),
		mail.WithTLSConfig(t.tlsConfig()),
		mail.WithDialContextFunc(dial),
	}
	if t.implicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		policy := map[string]mail.TLSPolicy{"required": mail.TLSMandatory, "opportunistic": mail.TLSOpportunistic, "off": mail.NoTLS}[t.starttls]
		opts = append(opts, mail.WithTLSPolicy(policy))
	}
	if t.user != "" {
		opts = append(opts, mail.WithUsername(t.user), mail.WithPassword(t.pass))
		switch t.auth {
		case "plain":
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain))
		case "login":
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthLogin))
		default:
			opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin))
		}
	}
	return opts
}

func (t smtpTarget) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12, RootCAs: t.rootCAs, InsecureSkipVerify: t.insecure}
}

// SMTPJobKind is the kind of the store objects that are messages waiting for
// SMTP delivery. A job's key is "<due time>/<message id>", the due time in a
// fixed-width UTC form so that keys sort by it: the worker reads the earliest
// keys and stops at the first one in the future. Claiming a job moves it to
// the key of its lease's end, and a failed attempt to the key of its next
// attempt, so a job left by a crashed worker becomes due again by itself.
const SMTPJobKind = "notify.smtp"

const jobKeyTime = "20060102T150405.000000000Z"

func jobKey(due time.Time, id string) string {
	return due.UTC().Format(jobKeyTime) + "/" + id
}

func jobKeyDue(key string) (time.Time, bool) {
	i := strings.IndexByte(key, '/')
	if i < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(jobKeyTime, key[:i])
	return t, err == nil
}

// smtpJob is the value of a job object.
type smtpJob struct {
	// Message is the message without its Code (the body carries it; the
	// job needs nothing else), and without its Body when that is sealed.
	Message Message `json:"message"`
	// SealedBody is the body sealed under the master key (see seal).
	SealedBody []byte `json:"sealedBody,omitempty"`
	Attempts   int    `json:"attempts"` // attempts started, the current one included
	// Owner is a random token of the worker holding the lease, so that a
	// worker whose lease ran out does not touch a job another one claimed.
	Owner     string `json:"owner,omitempty"`
	LastError string `json:"lastError,omitempty"`
}

// SMTP delivers the email messages of the outbox by SMTP. It is a Deliverer:
// Enqueue stores a job in the outbox's transaction, and Run, the worker,
// sends the jobs that are due. SMS messages are not delivered (they stay in
// the outbox only).
//
// Delivery is at least once: several instances sharing a store claim each
// job in a transaction before sending it, so a message is sent twice only
// when a worker dies (or its lease runs out) after the server accepted it
// and before the job was deleted.
type SMTP struct {
	target smtpTarget
	aead   *secretbox.Box // nil without a master key
	store  store.ObjectStore
	logger *slog.Logger
	wake   chan struct{}

	// Now is the time of due dates and leases; time.Now by default. It is
	// the real time, not the clock test suites move: leases are shared by
	// instances.
	Now func() time.Time
	// MaxAttempts is how many times a message is tried before it is
	// dropped (logged; the outbox keeps its copy). Default 8.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one (with ±20% jitter) up to MaxBackoff. Defaults 30s
	// and 30m: eight attempts span about an hour.
	Backoff, MaxBackoff time.Duration
	// Lease is how long a claimed job is left to its worker; a send is cut
	// off at half of it. Default four times the URL's timeout.
	Lease time.Duration
	// PollInterval is how often the worker looks for jobs that other
	// instances enqueued or whose retry time came. Default 2s.
	PollInterval time.Duration
}

var _ Deliverer = (*SMTP)(nil)

// NewSMTP checks cfg and returns a deliverer keeping its jobs in st.
func NewSMTP(cfg SMTPConfig, st store.ObjectStore, logger *slog.Logger) (*SMTP, error) {
	t, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	aead, err := secretbox.New(cfg.MasterKey, sealInfo)
	if err != nil {
		return nil, fmt.Errorf("smtp: master key: %w", err)
	}
	return &SMTP{
		target: t, aead: aead, store: st, logger: logger, wake: make(chan struct{}, 1),
		Now: time.Now, MaxAttempts: 8, Backoff: 30 * time.Second, MaxBackoff: 30 * time.Minute,
		Lease: 4 * t.timeout, PollInterval: 2 * time.Second,
	}, nil
}

// Enqueue stores m as a job in tx when it is an email; SMS messages are left
// to the outbox. A message whose address cannot be sent to is logged and
// left to the outbox too: SMTP never fails the API call that sent it.
func (s *SMTP) Enqueue(ctx context.Context, tx store.ObjectTx, m Message) error {
	if m.Medium != Email {
		return nil
	}
	if _, err := netmail.ParseAddress(m.To); err != nil {
		s.logger.Warn("smtp: not an email address; the message stays in the outbox only",
			"id", m.ID, "pool", m.PoolID, "kind", m.Kind)
		return nil
	}
	if m.ID == "" {
		m.ID = randid.String(24, randid.LowerAlnum)
	}
	m.Code = ""
	job := smtpJob{Message: m}
	seal(s.aead, &job)
	value, err := json.Marshal(job)
	if err != nil {
		return err
	}
	now := s.Now()
	if err := tx.CreateObject(ctx, store.Object{Kind: SMTPJobKind, Key: jobKey(now, m.ID), Value: value,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		return fmt.Errorf("smtp: enqueue: %w", err)
	}
	// The transaction has not committed yet: the worker waits a moment
	// before it looks (see Run).
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// dialer returns a go-mail dial function that does implicit TLS itself (a
// custom dialer replaces go-mail's) and closes the connection when ctx ends,
// which go-mail does not: that is what lets the worker stop mid-send.
func (t smtpTarget) dialer(ctx context.Context) mail.DialContextFunc {
	return func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		var conn net.Conn
		var err error
		if t.implicitTLS {
			conn, err = (&tls.Dialer{NetDialer: &d, Config: t.tlsConfig()}).DialContext(dctx, network, addr)
		} else {
			conn, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
}
