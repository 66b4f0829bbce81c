package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"os"
	"time"

	"github.com/ninsho/ninsho/internal/gateway"
)

const iss = "http://127.0.0.1/bench-pool"

func main() {
	backend := flag.String("backend", "", "serve the trivial backend on this address")
	gw := flag.String("gateway", "", "serve the gateway on this address")
	target := flag.String("target", "http://127.0.0.1:18081", "backend URL for the gateway")
	tokenFile := flag.String("token-file", "", "write a JWT for the /jwt route here")
	flag.Parse()
	switch {
	case *backend != "":
		body := []byte(`{"ok":true}`)
		log.Fatal(http.ListenAndServe(*backend, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		})))
	case *gw != "":
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			log.Fatal(err)
		}
		lk := &localKeys{key: key}
		tok := lk.sign(map[string]any{"sub": "bench-user", "iss": iss, "aud": "bench-client", "token_use": "id",
			"iat": time.Now().Unix(), "exp": time.Now().Add(2 * time.Hour).Unix()})
		if *tokenFile != "" {
			if err := os.WriteFile(*tokenFile, []byte(tok), 0o600); err != nil {
				log.Fatal(err)
			}
		}
		api := &gateway.API{ID: "bench", Version: 1,
			Routes: []gateway.Route{
				{RouteKey: "GET /none", Target: "integrations/b"},
				{RouteKey: "GET /jwt", AuthorizationType: gateway.AuthJWT, AuthorizerID: "a", Target: "integrations/b"},
			},
			Integrations: map[string]gateway.Integration{"b": {URI: *target, RequestParameters: map[string]string{
				"overwrite:header.x-user-sub": "$context.authorizer.claims.sub"}}},
			Authorizers: map[string]gateway.Authorizer{"a": {Type: gateway.AuthJWT, Issuer: iss, Audience: []string{"bench-client"}}},
			Stages:      map[string]gateway.Stage{gateway.DefaultStage: {}},
		}
		g := &gateway.Gateway{APIs: apis{api}, Local: lk, Region: "us-east-1", Account: "000000000000"}
		srv := &http.Server{Addr: *gw, Handler: g, ReadHeaderTimeout: 10 * time.Second}
		log.Fatal(srv.ListenAndServe())
	default:
		flag.Usage()
		os.Exit(2)
	}
}

type apis struct{ api *gateway.API }

func (a apis) GetAPI(ctx context.Context, id string) (*gateway.API, error) {
	if id == a.api.ID {
		return a.api, nil
	}
	return nil, gateway.ErrAPINotFound
}

// localKeys plays a local user pool with one RS256 key, kid "k1".
type localKeys struct{ key *rsa.PrivateKey }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (l *localKeys) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"kid": "k1", "alg": "RS256"})
	p, _ := json.Marshal(claims)
	s := b64(h) + "." + b64(p)
	d := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, l.key, crypto.SHA256, d[:])
	if err != nil {
		log.Fatal(err)
	}
	return s + "." + b64(sig)
}

func (l *localKeys) IssuerScope(s string) (string, bool) { return "bench-pool", s == iss }

func (l *localKeys) Verify(ctx context.Context, scope, token string, now time.Time) (map[string]any, error) {
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i < len(token) && n < 2; i++ {
		if token[i] == '.' {
			parts[n] = token[start:i]
			n++
			start = i + 1
		}
	}
	if n != 2 {
		return nil, errors.New("malformed")
	}
	parts[2] = token[start:]
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&l.key.PublicKey, crypto.SHA256, d[:], sig); err != nil {
		return nil, err
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var c map[string]any
	return c, json.Unmarshal(pb, &c)
}

var jwks []byte

func (l *localKeys) JWKS(ctx context.Context, scope string) ([]byte, error) {
	if jwks == nil {
		jwks = []byte(fmt.Sprintf(`{"keys":[{"alg":"RS256","e":%q,"kid":"k1","kty":"RSA","n":%q,"use":"sig"}]}`,
			b64(big.NewInt(int64(l.key.E)).Bytes()), b64(l.key.N.Bytes())))
	}
	return jwks, nil
}
