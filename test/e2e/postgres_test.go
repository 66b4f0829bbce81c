package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// postgresDB creates a database for one test on the server
// NINSHO_TEST_POSTGRES names (a postgres:// URL; scripts/test.sh starts a
// throwaway cluster and sets it) and returns its URL; it skips the test when
// the variable is unset. The database is dropped when the test ends, after
// its servers have stopped (cleanups run last registered first).
func postgresDB(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("NINSHO_TEST_POSTGRES")
	if dsn == "" {
		dsn = os.Getenv("NINSHO_TEST_POSTGRES_DSN") // the name STYLE.md gives
	}
	if dsn == "" {
		t.Skip("NINSHO_TEST_POSTGRES is not set: no PostgreSQL to test against (scripts/test.sh starts one)")
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("NINSHO_TEST_POSTGRES must be a postgres:// URL")
	}
	name := "ninsho_e2e_" + strings.ToLower(rand.Text()[:12])
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if err := admin(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// queryInt runs a one-number query on the database at dsn.
func queryInt(t *testing.T, dsn, sql string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestPostgresSeedFlowWithAWSCLI runs ninsho on PostgreSQL (--db) and drives
// it with the AWS CLI: a pool, a client, a user, admin-initiate-auth, then a
// restart and the same sign-in. The records are in PostgreSQL and no SQLite
// file is created.
func TestPostgresSeedFlowWithAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	dataDir := t.TempDir()
	srv := startServer(t, dataDir, "--db", dsn)
	cli := &awsCLI{path: awsPath, srv: srv}

	var poolID, clientID string
	mustStep(t, "create a pool, a client and a user with a permanent password", func(t *testing.T) {
		var pool struct{ UserPool struct{ Id string } }
		cli.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "pg", "--username-attributes", "email"}, &pool)
		poolID = pool.UserPool.Id
		var client struct{ UserPoolClient struct{ ClientId string } }
		cli.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
			"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
		clientID = client.UserPoolClient.ClientId
		cli.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "pg.user@example.com",
			"--temporary-password", "Temp#Pass1", "--message-action", "SUPPRESS",
			"--user-attributes", "Name=email,Value=pg.user@example.com", "Name=email_verified,Value=true"})
		cli.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "pg.user@example.com",
			"--password", "Perm#Pass1", "--permanent"})
	})

	signIn := func(t *testing.T) cliAuth {
		var a cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=pg.user@example.com,PASSWORD=Perm#Pass1"}, &a)
		if a.AuthenticationResult == nil || a.AuthenticationResult.IdToken == "" || a.AuthenticationResult.RefreshToken == "" {
			t.Fatalf("admin-initiate-auth answered no tokens: %+v", a)
		}
		return a
	}
	mustStep(t, "admin-initiate-auth answers tokens signed by a key of the pool's JWKS", func(t *testing.T) {
		a := signIn(t)
		tok := mustVerify(t, a.AuthenticationResult.IdToken, fetchJWKS(t, ctx, srv.URL, poolID))
		if tok.Claims["email"] != "pg.user@example.com" {
			t.Errorf("id token claims %v", tok.Claims)
		}
	})
	mustStep(t, "the records are in PostgreSQL, and there is no SQLite file", func(t *testing.T) {
		if n := queryInt(t, dsn, `SELECT COUNT(*) FROM users WHERE pool_id = $1`, poolID); n != 1 {
			t.Errorf("%d users of %s in PostgreSQL, want 1", n, poolID)
		}
		if n := queryInt(t, dsn, `SELECT COUNT(*) FROM refresh_tokens WHERE pool_id = $1`, poolID); n != 1 {
			t.Errorf("%d refresh tokens of %s in PostgreSQL, want 1", n, poolID)
		}
		if _, err := os.Stat(filepath.Join(dataDir, "ninsho.db")); !os.IsNotExist(err) {
			t.Errorf("stat %s/ninsho.db: %v; want no SQLite file", dataDir, err)
		}
	})
	mustStep(t, "after a restart the same user signs in, and the pool keeps its signing keys", func(t *testing.T) {
		before := fetchJWKS(t, ctx, srv.URL, poolID).kids()
		srv.restart(t)
		a := signIn(t)
		after := fetchJWKS(t, ctx, srv.URL, poolID)
		if strings.Join(after.kids(), " ") != strings.Join(before, " ") {
			t.Errorf("JWKS kids %v after the restart, %v before", after.kids(), before)
		}
		mustVerify(t, a.AuthenticationResult.AccessToken, after)
		var refreshed cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + a.AuthenticationResult.RefreshToken}, &refreshed)
		if refreshed.AuthenticationResult == nil || refreshed.AuthenticationResult.AccessToken == "" {
			t.Errorf("REFRESH_TOKEN_AUTH answered %+v", refreshed)
		}
	})
}

// TestTwoInstancesOnePostgres runs two ninsho processes on one PostgreSQL
// database, as behind a load balancer (one issuer for both): what one
// writes, the other sees.
func TestTwoInstancesOnePostgres(t *testing.T) {
	t.Parallel()
	awsPath := needAWSCLI(t)
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	const issuerBase = "http://ninsho.test"
	a := startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)
	b := startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)
	cliA := &awsCLI{path: awsPath, srv: a}
	cliB := &awsCLI{path: awsPath, srv: b}

	var poolID, clientID string
	mustStep(t, "a pool, client and user created through A", func(t *testing.T) {
		var pool struct{ UserPool struct{ Id string } }
		cliA.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "shared"}, &pool)
		poolID = pool.UserPool.Id
		var client struct{ UserPoolClient struct{ ClientId string } }
		cliA.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
			"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
		clientID = client.UserPoolClient.ClientId
		cliA.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "hana",
			"--temporary-password", "Temp#Pass1", "--message-action", "SUPPRESS"})
		cliA.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "hana",
			"--password", "Perm#Pass1", "--permanent"})
	})

	signIn := func(t *testing.T, cli *awsCLI) cliAuth {
		var out cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=hana,PASSWORD=Perm#Pass1"}, &out)
		if out.AuthenticationResult == nil || out.AuthenticationResult.RefreshToken == "" {
			t.Fatalf("admin-initiate-auth answered no tokens: %+v", out)
		}
		return out
	}
	var fromB cliAuth
	mustStep(t, "the user signs in through B", func(t *testing.T) {
		fromB = signIn(t, cliB)
	})
	mustStep(t, "B's tokens verify at A's JWKS, and A accepts B's access token", func(t *testing.T) {
		tok := mustVerify(t, fromB.AuthenticationResult.IdToken, fetchJWKS(t, ctx, a.URL, poolID))
		if tok.Claims["iss"] != issuerBase+"/"+poolID || tok.Claims["cognito:username"] != "hana" {
			t.Errorf("id token claims %v", tok.Claims)
		}
		var user struct{ Username string }
		cliA.json(t, ctx, []string{"cognito-idp", "get-user", "--access-token", fromB.AuthenticationResult.AccessToken}, &user)
		if user.Username != "hana" {
			t.Errorf("get-user through A answered %q", user.Username)
		}
	})
	mustStep(t, "a refresh token revoked through A is refused by B", func(t *testing.T) {
		fromA := signIn(t, cliA)
		refresh := func(cli *awsCLI) []string {
			return []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
				"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + fromA.AuthenticationResult.RefreshToken}
		}
		cliB.json(t, ctx, refresh(cliB)) // valid before the revocation
		cliA.json(t, ctx, []string{"cognito-idp", "revoke-token", "--token", fromA.AuthenticationResult.RefreshToken, "--client-id", clientID})
		cliB.fail(t, ctx, "NotAuthorizedException", "Refresh Token has been revoked", refresh(cliB)...)
		// B's own refresh token is untouched.
		cliB.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + fromB.AuthenticationResult.RefreshToken})
	})
	mustStep(t, "a user deleted through B cannot sign in through A", func(t *testing.T) {
		cliB.json(t, ctx, []string{"cognito-idp", "admin-delete-user", "--user-pool-id", poolID, "--username", "hana"})
		cliA.fail(t, ctx, "UserNotFoundException", "User does not exist.", "cognito-idp", "admin-initiate-auth",
			"--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=hana,PASSWORD=Perm#Pass1")
	})
}

// TestBadDBIsAConfigError starts the binary with a --db that is not a
// PostgreSQL URL: it refuses to start, reporting it with the other problems
// and without the password.
func TestBadDBIsAConfigError(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, callTimeout)
	cmd := exec.CommandContext(ctx, ninshoBin, "serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(),
		"--db", "mysql://admin:s3cr3t-pw@db.internal/ninsho", "--region", "mars")
	cmd.Env = filterEnv(os.Environ(), "NINSHO_")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("ninsho serve with a bad --db: %v, want a non-zero exit\n%s", err, out)
	}
	for _, want := range []string{`db: scheme "mysql" is not postgres or postgresql`, "region"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not mention %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "s3cr3t-pw") {
		t.Errorf("output shows the password:\n%s", out)
	}
}
