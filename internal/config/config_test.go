package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(c *Config)
		wantErr []string
	}{
		{"the defaults are valid", func(c *Config) {}, nil},
		{"a non-loopback address without credentials is refused", func(c *Config) { c.Listen = "0.0.0.0:9229" },
			[]string{"not a loopback address", "--access-key-id"}},
		{"a non-loopback address with credentials is fine", func(c *Config) {
			c.Listen, c.AccessKeyID, c.SecretAccessKey = "0.0.0.0:9229", "AKIAEXAMPLE", "secret"
		}, nil},
		{"localhost counts as loopback", func(c *Config) { c.Listen = "localhost:9229" }, nil},
		{"IPv6 loopback counts as loopback", func(c *Config) { c.Listen = "[::1]:9229" }, nil},
		{"a key id without a secret is refused", func(c *Config) { c.AccessKeyID = "x" }, []string{"given together"}},
		{"every problem is reported at once", func(c *Config) {
			c.Region, c.Account, c.IAM, c.LogLevel = "mars", "12", "maybe", "loud"
		}, []string{"region", "account", "iam", "log-level"}},
		{"an issuer base must be a URL", func(c *Config) { c.IssuerBase = "cognito-idp.example" }, []string{"issuer-base"}},
		{"outbox must be on, off or auto", func(c *Config) { c.Outbox = "sometimes" }, []string{"outbox"}},
		{"a listen address needs a port", func(c *Config) { c.Listen = "127.0.0.1" }, []string{"host:port"}},
		{"SMTP with a From is fine", func(c *Config) {
			c.SMTPURL, c.SMTPFrom = "smtp://localhost:1025?starttls=off", "no-reply@example.com"
		}, nil},
		{"SMTP needs a From", func(c *Config) { c.SMTPURL = "smtps://mail.example.com" }, []string{"smtp-from: required"}},
		{"SMTP problems are reported with the others", func(c *Config) {
			c.SMTPURL, c.SMTPFrom, c.Region = "smtp://h?starttls=sometimes", "x", "mars"
		}, []string{"region", "starttls", "smtp-from"}},
		{"a From without a URL is refused", func(c *Config) { c.SMTPFrom = "a@example.com" }, []string{"need smtp-url"}},
		{"a postgres URL selects PostgreSQL", func(c *Config) { c.DB = "postgres://u:p@db.internal:5432/ninsho?pool_max_conns=20" }, nil},
		{"a postgresql URL selects PostgreSQL", func(c *Config) { c.DB = "postgresql://u@127.0.0.1/ninsho?sslmode=disable" }, nil},
		{"a db that is not a postgres URL is refused", func(c *Config) { c.DB = "mysql://u:p@h/db" }, []string{"db: scheme \"mysql\""}},
		{"a db path is refused", func(c *Config) { c.DB = "/var/lib/ninsho.db" }, []string{"db: scheme \"\""}},
		{"a postgres URL needs a host", func(c *Config) { c.DB = "postgres:///ninsho" }, []string{"db: the PostgreSQL URL names no host"}},
		{"a bad db is reported with the other problems", func(c *Config) { c.DB, c.Region = "sqlite://x", "mars" }, []string{"db:", "region"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(&c)
			err := c.Validate()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDBErrorsDoNotShowThePassword(t *testing.T) {
	c := Default()
	c.DB = "mysql://user:hunter2@db/x"
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate() = %v", err)
	}
	c.DB = "postgres://user:hunter2@db/x"
	if got := c.RedactedDB(); strings.Contains(got, "hunter2") || !strings.Contains(got, "db/x") {
		t.Errorf("RedactedDB() = %q", got)
	}
}

func TestDBFromEnvironmentAndFlag(t *testing.T) {
	t.Setenv("NINSHO_DB", "postgres://env@127.0.0.1/a")
	c, err := Load(nil)
	if err != nil || c.DB != "postgres://env@127.0.0.1/a" {
		t.Fatalf("Load() = %q, %v", c.DB, err)
	}
	c, err = Load([]string{"--db", "postgres://flag@127.0.0.1/b"})
	if err != nil || c.DB != "postgres://flag@127.0.0.1/b" {
		t.Fatalf("Load(--db) = %q, %v", c.DB, err)
	}
	t.Setenv("NINSHO_DB", "")
	if c, err := Load(nil); err != nil || c.DB != "" {
		t.Fatalf("Load() with NINSHO_DB empty = %q, %v; want SQLite", c.DB, err)
	}
}

func TestEnvironmentAndFlagsLayerOverDefaults(t *testing.T) {
	env := map[string]string{"NINSHO_LISTEN": "127.0.0.1:1234", "NINSHO_ALLOW_RESET": "true", "NINSHO_IAM": "off"}
	c := Default()
	if err := c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:1234" || !c.AllowReset || c.IAM != "off" || c.DataDir != "./data" {
		t.Fatalf("env not applied: %+v", c)
	}
	bad := Default()
	if err := bad.ApplyEnv(func(k string) (string, bool) {
		if k == "NINSHO_ALLOW_RESET" {
			return "perhaps", true
		}
		return "", false
	}); err == nil {
		t.Fatal("a non-boolean NINSHO_ALLOW_RESET was accepted")
	}
}

func TestIssuerDefaultsToTheListenAddress(t *testing.T) {
	c := Default()
	if got := c.Issuer(); got != "http://127.0.0.1:9229" {
		t.Fatalf("Issuer() = %q", got)
	}
	c.IssuerBase = "https://cognito-idp.us-east-1.amazonaws.com/"
	if got := c.Issuer(); got != "https://cognito-idp.us-east-1.amazonaws.com" {
		t.Fatalf("Issuer() = %q", got)
	}
}

func TestAShortMasterKeyIsRefused(t *testing.T) {
	c := Default()
	c.MasterKey = "short"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "master-key") {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestTheSMTPPasswordStaysOutOfErrorsAndHelp(t *testing.T) {
	const secret = "pa55-w0rd-xyz"
	env := map[string]string{
		"NINSHO_SMTP_URL":  "smtp://mailer:" + secret + "@mail.example.com:587?starttls=bogus",
		"NINSHO_SMTP_FROM": "no-reply@example.com",
	}
	c := Default()
	if err := c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var help bytes.Buffer
	fs.SetOutput(&help)
	c.BindFlags(fs)
	fs.PrintDefaults()
	if !strings.Contains(help.String(), "smtp-url") || strings.Contains(help.String(), secret) {
		t.Fatalf("help shows the password or no smtp-url:\n%s", help.String())
	}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "starttls") || strings.Contains(err.Error(), secret) {
		t.Fatalf("Validate() = %v", err)
	}
	// A flag overrides the environment; the password may come apart.
	if err := fs.Parse([]string{"--smtp-url", "smtp://mailer@mail.example.com"}); err != nil {
		t.Fatal(err)
	}
	c.SMTPPassword = secret
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	smtp, ok := c.SMTP()
	if !ok || smtp.URL != "smtp://mailer@mail.example.com" || smtp.Password != secret || smtp.From != "no-reply@example.com" {
		t.Fatalf("SMTP() = %+v, %v", smtp, ok)
	}
}

func TestOutboxServed(t *testing.T) {
	for _, c := range []struct {
		listen, outbox string
		want           bool
	}{
		{"127.0.0.1:9229", "auto", true},
		{"localhost:9229", "auto", true},
		{"0.0.0.0:9229", "auto", false},
		{"0.0.0.0:9229", "on", true},
		{"127.0.0.1:9229", "off", false},
	} {
		cfg := Default()
		cfg.Listen, cfg.Outbox = c.listen, c.outbox
		if got := cfg.OutboxServed(); got != c.want {
			t.Errorf("listen %s, outbox %s: served = %v, want %v", c.listen, c.outbox, got, c.want)
		}
	}
	env := Default()
	if err := env.ApplyEnv(func(k string) (string, bool) { return "off", k == "NINSHO_OUTBOX" }); err != nil || env.Outbox != "off" {
		t.Errorf("NINSHO_OUTBOX not applied: %q, %v", env.Outbox, err)
	}
}
