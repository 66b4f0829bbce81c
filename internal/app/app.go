package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/awsapi/cognitoidentity"
	"github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	stsapi "github.com/ninsho/ninsho/internal/awsapi/sts"
	"github.com/ninsho/ninsho/internal/awsproto"
	"github.com/ninsho/ninsho/internal/clock"
	"github.com/ninsho/ninsho/internal/config"
	"github.com/ninsho/ninsho/internal/gateway"
	"github.com/ninsho/ninsho/internal/notify"
	"github.com/ninsho/ninsho/internal/quota"
	"github.com/ninsho/ninsho/internal/secretbox"
	apigw "github.com/ninsho/ninsho/internal/service/apigateway"
	iamsvc "github.com/ninsho/ninsho/internal/service/iam"
	"github.com/ninsho/ninsho/internal/service/identitypool"
	"github.com/ninsho/ninsho/internal/service/sts"
	"github.com/ninsho/ninsho/internal/service/userpool"
	"github.com/ninsho/ninsho/internal/sigv4"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/postgres"
	"github.com/ninsho/ninsho/internal/store/sqlite"
	"github.com/ninsho/ninsho/internal/tokens"
)

// App is a configured ninsho: its store, services and HTTP handler.
type App struct {
	cfg            config.Config
	logger         *slog.Logger
	store          store.Store
	keys           *tokens.Keys
	userPool       *userpool.Service
	identity       *identitypool.Service
	handler        http.Handler
	clock          *clock.Clock
	gateway        *gateway.Gateway
	gatewayControl *apigw.Service
	outbox         *notify.Outbox
	// smtp delivers email messages by SMTP when --smtp-url is set (nil
	// otherwise); Run runs its worker. The outbox hands it messages through
	// Deliverer.
	smtp *notify.SMTP
}

// Deliverer is what the outbox hands messages to beyond itself: the SMTP
// deliverer when SMTP is configured, nil otherwise.
func (a *App) Deliverer() notify.Deliverer {
	if a.smtp == nil {
		return nil
	}
	return a.smtp
}

// New opens the store and builds the services. issuerBase is the issuer
// prefix actually in force (the configured one, or http://<bound address>).
func New(ctx context.Context, cfg config.Config, issuerBase string, logger *slog.Logger) (*App, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var smtp *notify.SMTP
	if smtpCfg, ok := cfg.SMTP(); ok {
		if smtp, err = notify.NewSMTP(smtpCfg, st, logger); err != nil {
			st.Close()
			return nil, err
		}
	}
	// One clock for every service: a test suite may move it forward
	// (POST /_ninsho/clock) to expire tokens, sessions and credentials.
	clk := &clock.Clock{}
	keys := &tokens.Keys{Store: st, Now: clk.Now}
	up := userpool.New(st, keys, cfg.Region, cfg.Account, issuerBase, logger)
	up.Now = clk.Now
	// Every message a pool sends lands in the outbox (SMTP, when
	// configured, takes it from there in the same transaction).
	outbox := &notify.Outbox{Store: st, Now: clk.Now}
	if smtp != nil {
		outbox.Deliverer = smtp
	}
	up.Notify = outbox

	iamService := iamsvc.New(st, cfg.Account)
	iamService.Now = clk.Now
	var masterKey []byte
	if cfg.MasterKey != "" {
		masterKey = []byte(cfg.MasterKey)
	}
	if up.Secrets, err = secretbox.New(masterKey, "ninsho userpool v1"); err != nil {
		st.Close()
		return nil, fmt.Errorf("master key: %w", err)
	}
	if keys.Secrets, err = secretbox.New(masterKey, "ninsho tokens.key v1"); err != nil {
		st.Close()
		return nil, fmt.Errorf("master key: %w", err)
	}
	if iamService.Secrets, err = secretbox.New(masterKey, "ninsho iam.access-key v1"); err != nil {
		st.Close()
		return nil, fmt.Errorf("master key: %w", err)
	}
	stsService := sts.New(st, roleFinder{iamService}, cfg.Account, masterKey)
	stsService.Now = clk.Now
	stsService.WebIdentity = &sts.TokensVerifier{Keys: keys, IssuerBase: issuerBase}
	stsService.OIDCProviders = oidcProviders{iam: iamService, account: cfg.Account}
	identity := &identitypool.Service{
		Store: st, Keys: keys, UserPools: userPoolTokens{userPool: up, keys: keys},
		Roles: roleFinder{iamService}, Sessions: stsService,
		Region: cfg.Region, Account: cfg.Account, IssuerBase: issuerBase, Now: clk.Now,
	}

	root := &rootCredentials{accessKeyID: cfg.AccessKeyID, secret: cfg.SecretAccessKey, account: cfg.Account}
	if root.accessKeyID == "" {
		root.accessKeyID, root.secret = "test", "test"
	}
	creds := &credentialChain{root: root, sts: stsService, iam: iamService, account: cfg.Account}
	// Signatures are checked against the real time (clients sign with it),
	// credential expiry against the server's clock.
	verifier := &sigv4.Verifier{Lookup: creds, AcceptAny: cfg.IAM == "off", CredentialNow: clk.Now}
	// The API gateway: its control plane (apigatewayv2) stores APIs that
	// its data plane serves, authorizing with the same keys, credentials
	// and policies as the AWS APIs.
	gwControl := apigw.New(st, cfg.Region, cfg.Account, issuerBase)
	gwControl.Now = clk.Now
	gw := &gateway.Gateway{
		APIs:     gwControl,
		Domains:  gwControl,
		Local:    gateway.TokenKeys{Keys: keys, Issuers: localIssuers(issuerBase)},
		SigV4:    verifier,
		Policies: principalPolicies{iam: iamService},
		Now:      clk.Now, Logger: logger, Region: cfg.Region, Account: cfg.Account,
	}

	var authz awsproto.Authorizer
	if cfg.IAM == "on" {
		authz = &authorizer{policies: principalPolicies{iam: iamService}, region: cfg.Region, account: cfg.Account, now: clk.Now}
	}
	api := awsproto.NewHandler(&authenticator{verifier: verifier, account: cfg.Account, keyUsed: iamService.NoteAccessKeyUsed}, authz, logger,
		cognitoidp.NewService(up),
		cognitoidentity.NewService(identity),
		stsapi.NewService(stsService),
		iamapi.NewService(iamService),
		apigatewayv2.NewService(gwControl),
	)
	if q, err := quota.Parse(cfg.Quotas); err == nil && q.Enabled() {
		l := quota.New(q, nil)
		if cfg.DB != "" {
			// Instances sharing a PostgreSQL store share their quotas.
			l.Shared = st
		}
		api.Limit = l
	}
	a := &App{cfg: cfg, logger: logger, store: st, keys: keys, userPool: up, identity: identity, clock: clk,
		gateway: gw, gatewayControl: gwControl, smtp: smtp, outbox: outbox}
	a.handler = a.routes(api)
	if cfg.ConfigFile != "" {
		if err := a.seedFile(ctx, cfg.ConfigFile, iamService); err != nil {
			st.Close()
			return nil, err
		}
	}
	return a, nil
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Close closes the store.
func (a *App) Close() error { return a.store.Close() }

func (a *App) routes(api *awsproto.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /_ninsho/reset", a.reset)
	mux.HandleFunc("GET /_ninsho/outbox", a.listOutbox)
	mux.HandleFunc("GET /_ninsho/clock", a.getClock)
	mux.HandleFunc("POST /_ninsho/clock", a.advanceClock)
	mux.HandleFunc("GET /{pool}/.well-known/jwks.json", a.jwks)
	mux.HandleFunc("GET /{pool}/.well-known/openid-configuration", a.openIDConfiguration)
	mux.HandleFunc("GET /cognito-identity/.well-known/jwks_uri", a.identityJWKS)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if awsproto.IsAWSRequest(r) || awsproto.IsRESTRequest(r) {
			api.ServeHTTP(w, r)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	// APIs addressed by host ({apiId}.execute-api.localhost, or a custom
	// domain name) own every path, so the gateway comes before the mux.
	return a.recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.gateway.Handles(r) {
			a.gateway.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// recoverer turns a panic into AWS's generic internal error and a log line
// with the stack, instead of a dropped connection.
func (a *App) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.logger.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"__type":"InternalErrorException","message":"An internal error occurred."}`))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf)
}

// listOutbox returns the messages pools sent, newest first:
// GET /_ninsho/outbox?pool=&to=&kind=&limit=. Codes and temporary passwords
// are in them, so it is served only on loopback unless --outbox on.
func (a *App) listOutbox(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.OutboxServed() {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	q := r.URL.Query()
	query := notify.Query{PoolID: q.Get("pool"), To: q.Get("to"), Kind: q.Get("kind")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > notify.MaxListLimit {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": fmt.Sprintf("limit must be an integer between 1 and %d", notify.MaxListLimit)})
			return
		}
		query.Limit = n
	}
	msgs, err := a.outbox.List(r.Context(), query)
	if err != nil {
		a.logger.Error("outbox", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

// getClock tells the server's time and how far a test suite has moved it.
func (a *App) getClock(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.AllowReset {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	a.writeClock(w)
}

// advanceClock moves the server's clock forward, for test suites (only with
// --allow-reset): {"advanceSeconds": 3600} makes every token, session and
// credential an hour older. POST /_ninsho/reset returns it to real time.
func (a *App) advanceClock(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.AllowReset {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	var in struct {
		AdvanceSeconds *float64 `json:"advanceSeconds"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil || in.AdvanceSeconds == nil ||
		*in.AdvanceSeconds < 0 || *in.AdvanceSeconds > 10*365*24*3600 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": `expected {"advanceSeconds": N} with 0 <= N <= 10 years`})
		return
	}
	a.clock.Advance(time.Duration(*in.AdvanceSeconds * float64(time.Second)))
	a.writeClock(w)
}

func (a *App) writeClock(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"now":           a.clock.Now().UTC().Format(time.RFC3339Nano),
		"offsetSeconds": a.clock.Offset().Seconds(),
	})
}

// reset wipes every pool, identity and credential, for test suites; it
// exists only with --allow-reset.
func (a *App) reset(w http.ResponseWriter, r *http.Request) {
	if !a.cfg.AllowReset {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	a.clock.Reset()
	defer a.gatewayControl.ForgetAll()
	if err := a.store.Reset(r.Context()); err != nil {
		a.logger.Error("reset", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "reset failed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

func (a *App) jwks(w http.ResponseWriter, r *http.Request) {
	body, err := a.userPool.JWKS(r.Context(), r.PathValue("pool"))
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "User pool " + r.PathValue("pool") + " not found"})
		return
	}
	if err != nil {
		a.logger.Error("jwks", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	w.Write(body)
}

// identityJWKS is the key set of the identity pools' OpenID tokens
// (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity).
func (a *App) identityJWKS(w http.ResponseWriter, r *http.Request) {
	body, err := a.identity.JWKS(r.Context())
	if err != nil {
		a.logger.Error("identity jwks", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=300")
	w.Write(body)
}

// openIDConfiguration is the pool's OIDC discovery document. It advertises
// only what ninsho serves; the OAuth2 endpoints join with hosted login.
func (a *App) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool")
	if _, err := a.store.GetUserPool(r.Context(), poolID); err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "User pool " + poolID + " not found"})
		return
	}
	iss := a.userPool.Issuer(poolID)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "token_use", "email", "email_verified", "phone_number", "phone_number_verified", "cognito:username", "cognito:groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

// Run serves cfg until ctx ends.
func Run(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	issuer := cfg.Issuer()
	if cfg.IssuerBase == "" {
		issuer = "http://" + ln.Addr().String()
	}
	a, err := New(ctx, cfg, issuer, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	// The background loops stop with loopCtx, and Run waits for them
	// before the deferred Close closes the store under them.
	loopCtx, stopLoops := context.WithCancel(ctx)
	var loops sync.WaitGroup
	loops.Go(func() { a.janitor(loopCtx) })
	if a.smtp != nil {
		smtpCfg, _ := cfg.SMTP()
		logger.Info("smtp delivery on", "url", smtpCfg.Redacted(), "from", cfg.SMTPFrom)
		loops.Go(func() { a.smtp.Run(loopCtx) })
	}
	defer func() {
		stopLoops()
		loops.Wait()
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("ninsho listening", "url", "http://"+ln.Addr().String(), "store", storeName(cfg), "issuer", issuer, "iam", cfg.IAM)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// janitor removes expired challenge sessions and refresh tokens.
func (a *App) janitor(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := a.clock.Now()
			if _, err := a.store.DeleteExpiredAuthSessions(ctx, now); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: sessions", "err", err)
			}
			if _, err := a.store.DeleteExpiredRefreshTokens(ctx, now); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: refresh tokens", "err", err)
			}
			// Expired temporary credentials stay a day, so that their use
			// is answered with ExpiredTokenException rather than as an
			// unknown key.
			if _, err := a.store.DeleteExpiredObjects(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: objects", "err", err)
			}
		}
	}
}

// openStore opens the store cfg selects: PostgreSQL when --db is set,
// SQLite in --data otherwise.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DB != "" {
		st, err := postgres.Open(ctx, cfg.DB)
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", cfg.RedactedDB(), err)
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("open store in %s: %w", cfg.DataDir, err)
	}
	return st, nil
}

// storeName describes the store for the start-up log line.
func storeName(cfg config.Config) string {
	if cfg.DB != "" {
		return cfg.RedactedDB()
	}
	return "sqlite:" + cfg.DataDir
}
