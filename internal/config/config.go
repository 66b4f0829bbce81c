package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/quota"
)

// Config is what `ninsho serve` runs with.
type Config struct {
	Listen  string // host:port
	DataDir string // SQLite data directory
	// DB selects the store: "" for SQLite in DataDir, a postgres:// or
	// postgresql:// URL (pgx syntax, pool_max_conns and the other pgxpool
	// parameters included) for PostgreSQL.
	DB         string
	Region     string
	Account    string // 12 digits
	IssuerBase string // token issuer prefix; "" means http://<Listen>
	// Root credentials. When both are empty, test/test is accepted while the
	// listen address is loopback.
	AccessKeyID     string
	SecretAccessKey string
	// IAM is "on" (verify signatures against known credentials) or "off"
	// (accept any well-formed signature: for suites written against emulators).
	IAM        string
	AllowReset bool // POST /_ninsho/reset
	// Outbox serves GET /_ninsho/outbox (the codes and invitations pools
	// send): "on", "off" or "auto" (only while listening on loopback).
	Outbox string
	// MasterKey, when set, encrypts secrets at rest (the secret keys of
	// temporary credentials, TOTP secrets, queued email bodies; see
	// internal/secretbox). At least 32 characters.
	MasterKey string
	LogLevel  string
	LogFormat string // "text" or "json"
	// ConfigFile, when set, is a YAML file of resources created at start
	// (see file.go).
	ConfigFile string
	// Quotas is "off" (the default) or Cognito's request-rate quotas:
	// "cognito", optionally with overrides ("cognito,UserAuthentication=500");
	// see internal/quota.
	Quotas string
	// SMTPURL, when set, sends email messages by SMTP (see
	// notify.SMTPConfig for its form); SMTPFrom is then required.
	// SMTPPassword comes from NINSHO_SMTP_PASSWORD only, never a flag, so
	// that it is not on a command line.
	SMTPURL      string
	SMTPFrom     string
	SMTPPassword string
}

// SMTP is the SMTP part of c (the master key, when set, seals queued
// messages); ok is false when SMTP is not configured.
func (c *Config) SMTP() (cfg notify.SMTPConfig, ok bool) {
	cfg = notify.SMTPConfig{URL: c.SMTPURL, From: c.SMTPFrom, Password: c.SMTPPassword}
	if c.MasterKey != "" {
		cfg.MasterKey = []byte(c.MasterKey)
	}
	return cfg, c.SMTPURL != ""
}

// Default returns the defaults.
func Default() Config {
	return Config{
		Listen:    "127.0.0.1:9229",
		DataDir:   "./data",
		Region:    "us-east-1",
		Account:   "000000000000",
		IAM:       "on",
		Outbox:    "auto",
		LogLevel:  "info",
		LogFormat: "text",
		Quotas:    "off",
	}
}

// BindFlags registers the flags of `serve` on fs, with defaults taken from
// c (so environment variables, applied first, show as defaults).
func (c *Config) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to listen on, host:port (NINSHO_LISTEN)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory for the embedded SQLite store (NINSHO_DATA)")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL, postgres://user:password@host:port/db?sslmode=...&pool_max_conns=N; empty: SQLite in --data (NINSHO_DB)")
	fs.StringVar(&c.Region, "region", c.Region, "AWS region ninsho presents (NINSHO_REGION)")
	fs.StringVar(&c.Account, "account", c.Account, "AWS account id ninsho presents (NINSHO_ACCOUNT)")
	fs.StringVar(&c.IssuerBase, "issuer-base", c.IssuerBase, "token issuer prefix; the issuer is <issuer-base>/<userPoolId>; default http://<listen> (NINSHO_ISSUER_BASE)")
	fs.StringVar(&c.AccessKeyID, "access-key-id", c.AccessKeyID, "root access key id (NINSHO_ACCESS_KEY_ID)")
	fs.StringVar(&c.SecretAccessKey, "secret-access-key", c.SecretAccessKey, "root secret access key (NINSHO_SECRET_ACCESS_KEY)")
	fs.StringVar(&c.IAM, "iam", c.IAM, "on: verify request signatures; off: accept any well-formed signature (NINSHO_IAM)")
	fs.StringVar(&c.MasterKey, "master-key", c.MasterKey, "encrypt secrets at rest with this key, 32+ characters (NINSHO_MASTER_KEY)")
	fs.BoolVar(&c.AllowReset, "allow-reset", c.AllowReset, "enable POST /_ninsho/reset, which wipes all data (NINSHO_ALLOW_RESET)")
	fs.StringVar(&c.Outbox, "outbox", c.Outbox, "serve GET /_ninsho/outbox, the messages pools send: on, off, or auto (on while listening on loopback) (NINSHO_OUTBOX)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (NINSHO_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (NINSHO_LOG_FORMAT)")
	fs.Var((*secretURL)(&c.SMTPURL), "smtp-url", "send email messages by SMTP to this `URL`: smtp://[user[:password]@]host[:port][?starttls=required|opportunistic|off] or smtps://…; the password may instead come from NINSHO_SMTP_PASSWORD (NINSHO_SMTP_URL)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "the From address of email messages, required with --smtp-url (NINSHO_SMTP_FROM)")
	fs.StringVar(&c.ConfigFile, "config", c.ConfigFile, "YAML file of user pools, clients, users, roles, identity pools and APIs to create at start (NINSHO_CONFIG)")
	fs.StringVar(&c.Quotas, "quotas", c.Quotas, "off, or cognito for Cognito's request-rate quotas, with overrides as cognito,UserAuthentication=500,PerUser=20 (NINSHO_QUOTAS)")
}

// ApplyEnv overrides c with the NINSHO_* variables that lookup finds
// (os.LookupEnv in production). It reports unparsable values.
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	var errs []error
	str := func(name string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = v
		}
	}
	str("NINSHO_LISTEN", &c.Listen)
	str("NINSHO_DATA", &c.DataDir)
	str("NINSHO_DB", &c.DB)
	str("NINSHO_REGION", &c.Region)
	str("NINSHO_ACCOUNT", &c.Account)
	str("NINSHO_ISSUER_BASE", &c.IssuerBase)
	str("NINSHO_ACCESS_KEY_ID", &c.AccessKeyID)
	str("NINSHO_SECRET_ACCESS_KEY", &c.SecretAccessKey)
	str("NINSHO_IAM", &c.IAM)
	str("NINSHO_LOG_LEVEL", &c.LogLevel)
	str("NINSHO_OUTBOX", &c.Outbox)
	str("NINSHO_LOG_FORMAT", &c.LogFormat)
	str("NINSHO_MASTER_KEY", &c.MasterKey)
	str("NINSHO_CONFIG", &c.ConfigFile)
	str("NINSHO_QUOTAS", &c.Quotas)
	str("NINSHO_SMTP_URL", &c.SMTPURL)
	str("NINSHO_SMTP_FROM", &c.SMTPFrom)
	str("NINSHO_SMTP_PASSWORD", &c.SMTPPassword)
	if v, ok := lookup("NINSHO_ALLOW_RESET"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("NINSHO_ALLOW_RESET: %q is not a boolean", v))
		}
		c.AllowReset = b
	}
	return errors.Join(errs...)
}

// Load returns the configuration of `serve` from the environment and args.
func Load(args []string) (Config, error) {
	c := Default()
	if err := c.ApplyEnv(os.LookupEnv); err != nil {
		return c, err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.Validate()
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// Validate reports every problem of c at once.
func (c *Config) Validate() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		errs = append(errs, fmt.Errorf("listen: %q is not host:port", c.Listen))
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		errs = append(errs, fmt.Errorf("listen: bad port %q", port))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: must not be empty"))
	}
	if _, err := quota.Parse(c.Quotas); err != nil {
		errs = append(errs, fmt.Errorf("quotas: %v", err))
	}
	if err := checkDB(c.DB); err != nil {
		errs = append(errs, err)
	}
	if !regionRE.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region: %q is not a region name like us-east-1", c.Region))
	}
	if !accountRE.MatchString(c.Account) {
		errs = append(errs, fmt.Errorf("account: %q is not a 12-digit account id", c.Account))
	}
	if c.IAM != "on" && c.IAM != "off" {
		errs = append(errs, fmt.Errorf("iam: %q is neither on nor off", c.IAM))
	}
	switch c.Outbox {
	case "on", "off", "auto":
	default:
		errs = append(errs, fmt.Errorf("outbox: %q is not on, off or auto", c.Outbox))
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		errs = append(errs, errors.New("access-key-id and secret-access-key must be given together"))
	}
	if c.AccessKeyID == "" && err == nil && !IsLoopback(host) {
		errs = append(errs, fmt.Errorf("listen: %s is not a loopback address, and no root credentials are configured: set --access-key-id and --secret-access-key (NINSHO_ACCESS_KEY_ID, NINSHO_SECRET_ACCESS_KEY); the test/test credentials are only accepted on loopback", c.Listen))
	}
	if c.IssuerBase != "" && !strings.HasPrefix(c.IssuerBase, "http://") && !strings.HasPrefix(c.IssuerBase, "https://") {
		errs = append(errs, fmt.Errorf("issuer-base: %q must start with http:// or https://", c.IssuerBase))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level: %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.MasterKey != "" && len(c.MasterKey) < 32 {
		errs = append(errs, errors.New("master-key: must be at least 32 characters"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format: %q is neither text nor json", c.LogFormat))
	}
	if smtp, ok := c.SMTP(); ok {
		if err := smtp.Validate(); err != nil {
			errs = append(errs, err)
		}
	} else if c.SMTPFrom != "" || c.SMTPPassword != "" {
		errs = append(errs, errors.New("smtp-from and NINSHO_SMTP_PASSWORD need smtp-url"))
	}
	return errors.Join(errs...)
}

// secretURL is a flag.Value that shows a URL without its password, so that
// a password set by NINSHO_SMTP_URL does not appear as the flag's default in
// the help text.
type secretURL string

func (u *secretURL) String() string {
	if u == nil || *u == "" {
		return ""
	}
	return notify.SMTPConfig{URL: string(*u)}.Redacted()
}

func (u *secretURL) Set(v string) error { *u = secretURL(v); return nil }

// OutboxServed reports whether GET /_ninsho/outbox is served.
func (c *Config) OutboxServed() bool {
	switch c.Outbox {
	case "on":
		return true
	case "auto":
		host, _, err := net.SplitHostPort(c.Listen)
		return err == nil && IsLoopback(host)
	}
	return false
}

// IsLoopback reports whether host names only the loopback interface.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Issuer returns the issuer base URL without a trailing slash.
func (c *Config) Issuer() string {
	if c.IssuerBase != "" {
		return strings.TrimRight(c.IssuerBase, "/")
	}
	return "http://" + c.Listen
}

// checkDB checks the --db value: empty, or a postgres:// URL with a host. The
// error never repeats the value, which may hold a password.
func checkDB(db string) error {
	if db == "" {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return errors.New("db: not a URL; want postgres://user:password@host:port/database (empty for SQLite in --data)")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("db: scheme %q is not postgres or postgresql; want postgres://user:password@host:port/database (empty for SQLite in --data)", u.Scheme)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return errors.New("db: the PostgreSQL URL names no host")
	}
	return nil
}

// RedactedDB is DB fit for logs: the password, if any, replaced.
func (c *Config) RedactedDB() string {
	u, err := url.Parse(c.DB)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
