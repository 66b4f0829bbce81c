package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// migrateCmd runs `ninsho migrate args...` and returns its exit code and
// output.
func migrateCmd(t *testing.T, ctx context.Context, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ninshoBin, append([]string{"migrate"}, args...)...)
	cmd.Env = filterEnv(os.Environ(), "NINSHO_")
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("ninsho migrate: %v", err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// TestMigrateSQLiteToPostgres fills an SQLite data directory through a
// server and the AWS CLI, stops it, runs `ninsho migrate` into a fresh
// PostgreSQL database and starts a server there: the same user signs in
// with the same password, tokens issued before the move verify at the new
// server's JWKS and are accepted by it, a refresh token revoked before the
// move stays refused, and the groups, IAM users and access keys came along.
func TestMigrateSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	if os.Getenv("NINSHO_E2E_BACKEND") == "postgres" {
		t.Skip("the source of the migration is an SQLite server: runs in the SQLite pass")
	}
	awsPath := needAWSCLI(t)
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	const issuerBase = "http://ninsho.test"
	dataDir := t.TempDir()
	old := startServer(t, dataDir, "--issuer-base", issuerBase)
	cli := &awsCLI{path: awsPath, srv: old}

	var poolID, clientID, keyID, secret string
	var kept, revoked cliAuth
	signIn := func(t *testing.T, cli *awsCLI) cliAuth {
		var a cliAuth
		cli.json(t, ctx, []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=mio,PASSWORD=Perm#Pass1"}, &a)
		if a.AuthenticationResult == nil || a.AuthenticationResult.RefreshToken == "" {
			t.Fatalf("admin-initiate-auth answered no tokens: %+v", a)
		}
		return a
	}
	refresh := func(token string) []string {
		return []string{"cognito-idp", "admin-initiate-auth", "--user-pool-id", poolID, "--client-id", clientID,
			"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + token}
	}
	mustStep(t, "on SQLite: a pool, a client, a user in a group, tokens (one revoked), an IAM user with an access key", func(t *testing.T) {
		var pool struct{ UserPool struct{ Id string } }
		cli.json(t, ctx, []string{"cognito-idp", "create-user-pool", "--pool-name", "moving"}, &pool)
		poolID = pool.UserPool.Id
		var client struct{ UserPoolClient struct{ ClientId string } }
		cli.json(t, ctx, []string{"cognito-idp", "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
			"--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, &client)
		clientID = client.UserPoolClient.ClientId
		cli.json(t, ctx, []string{"cognito-idp", "admin-create-user", "--user-pool-id", poolID, "--username", "mio",
			"--temporary-password", "Temp#Pass1", "--message-action", "SUPPRESS",
			"--user-attributes", "Name=email,Value=mio@example.com", "Name=email_verified,Value=true"})
		cli.json(t, ctx, []string{"cognito-idp", "admin-set-user-password", "--user-pool-id", poolID, "--username", "mio",
			"--password", "Perm#Pass1", "--permanent"})
		cli.json(t, ctx, []string{"cognito-idp", "create-group", "--user-pool-id", poolID, "--group-name", "editors", "--precedence", "3"})
		cli.json(t, ctx, []string{"cognito-idp", "admin-add-user-to-group", "--user-pool-id", poolID, "--username", "mio", "--group-name", "editors"})
		kept = signIn(t, cli)
		revoked = signIn(t, cli)
		cli.json(t, ctx, []string{"cognito-idp", "revoke-token", "--token", revoked.AuthenticationResult.RefreshToken, "--client-id", clientID})
		cli.json(t, ctx, []string{"iam", "create-user", "--user-name", "deployer"})
		var key struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		}
		cli.json(t, ctx, []string{"iam", "create-access-key", "--user-name", "deployer"}, &key)
		keyID, secret = key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey
	})
	oldKids := fetchJWKS(t, ctx, old.URL, poolID).kids()
	old.stop()

	mustStep(t, "ninsho migrate copies every record and reports the counts", func(t *testing.T) {
		code, out := migrateCmd(t, ctx, "--data", dataDir, "--db", dsn)
		if code != 0 {
			t.Fatalf("ninsho migrate: exit %d\n%s", code, out)
		}
		for _, want := range []string{"user pools      1\n", "clients         1\n", "users           1\n", "refresh tokens  2\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not report %q:\n%s", want, out)
			}
		}
		if n := queryInt(t, dsn, `SELECT COUNT(*) FROM refresh_tokens WHERE revoked`); n != 1 {
			t.Errorf("%d revoked refresh tokens in PostgreSQL, want 1", n)
		}
		if n := queryInt(t, dsn, `SELECT COUNT(*) FROM signing_keys WHERE scope = $1`, poolID); n == 0 {
			t.Error("no signing key of the pool in PostgreSQL")
		}
		t.Log(out)
	})
	mustStep(t, "a second run is refused, naming --force; with --force it replaces the target", func(t *testing.T) {
		code, out := migrateCmd(t, ctx, "--data", dataDir, "--db", dsn)
		if code == 0 || !strings.Contains(out, "not empty") || !strings.Contains(out, "--force") {
			t.Fatalf("second ninsho migrate: exit %d\n%s", code, out)
		}
		code, out = migrateCmd(t, ctx, "--data", dataDir, "--db", dsn, "--force")
		if code != 0 || !strings.Contains(out, "users           1\n") {
			t.Fatalf("ninsho migrate --force: exit %d\n%s", code, out)
		}
	})

	srv := startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)
	pg := &awsCLI{path: awsPath, srv: srv}
	mustStep(t, "on PostgreSQL: the pool publishes the same keys and tokens from before the move verify and are accepted", func(t *testing.T) {
		set := fetchJWKS(t, ctx, srv.URL, poolID)
		if strings.Join(set.kids(), " ") != strings.Join(oldKids, " ") {
			t.Errorf("JWKS kids %v after the move, %v before", set.kids(), oldKids)
		}
		tok := mustVerify(t, kept.AuthenticationResult.IdToken, set)
		if tok.Claims["cognito:username"] != "mio" {
			t.Errorf("id token claims %v", tok.Claims)
		}
		var user struct{ Username string }
		pg.json(t, ctx, []string{"cognito-idp", "get-user", "--access-token", kept.AuthenticationResult.AccessToken}, &user)
		if user.Username != "mio" {
			t.Errorf("get-user answered %q", user.Username)
		}
	})
	mustStep(t, "on PostgreSQL: the user signs in with the same password, in the same group", func(t *testing.T) {
		a := signIn(t, pg)
		tok := mustVerify(t, a.AuthenticationResult.IdToken, fetchJWKS(t, ctx, srv.URL, poolID))
		if groups, _ := tok.Claims["cognito:groups"].([]any); len(groups) != 1 || groups[0] != "editors" {
			t.Errorf("cognito:groups = %v, want [editors]", tok.Claims["cognito:groups"])
		}
		var out struct{ Groups []struct{ GroupName string } }
		pg.json(t, ctx, []string{"cognito-idp", "admin-list-groups-for-user", "--user-pool-id", poolID, "--username", "mio"}, &out)
		if len(out.Groups) != 1 || out.Groups[0].GroupName != "editors" {
			t.Errorf("admin-list-groups-for-user = %+v", out.Groups)
		}
	})
	mustStep(t, "on PostgreSQL: the revoked refresh token is refused, the other one refreshes", func(t *testing.T) {
		pg.fail(t, ctx, "NotAuthorizedException", "Refresh Token has been revoked", refresh(revoked.AuthenticationResult.RefreshToken)...)
		var a cliAuth
		pg.json(t, ctx, refresh(kept.AuthenticationResult.RefreshToken), &a)
		if a.AuthenticationResult == nil || a.AuthenticationResult.AccessToken == "" {
			t.Errorf("REFRESH_TOKEN_AUTH answered %+v", a)
		}
	})
	mustStep(t, "on PostgreSQL: the IAM user's access key signs requests", func(t *testing.T) {
		var id struct{ Arn string }
		pg.as(keyID, secret, "").json(t, ctx, []string{"sts", "get-caller-identity"}, &id)
		if id.Arn != "arn:aws:iam::"+account+":user/deployer" {
			t.Errorf("get-caller-identity = %q", id.Arn)
		}
	})
	mustStep(t, "migrate --reverse copies the PostgreSQL database back into a new SQLite data directory", func(t *testing.T) {
		back := t.TempDir()
		code, out := migrateCmd(t, ctx, "--reverse", "--data", back, "--db", dsn)
		if code != 0 || !strings.Contains(out, "users           1\n") {
			t.Fatalf("ninsho migrate --reverse: exit %d\n%s", code, out)
		}
		lite := startServer(t, back, "--issuer-base", issuerBase)
		a := signIn(t, &awsCLI{path: awsPath, srv: lite})
		mustVerify(t, a.AuthenticationResult.IdToken, fetchJWKS(t, ctx, lite.URL, poolID))
		(&awsCLI{path: awsPath, srv: lite}).fail(t, ctx, "NotAuthorizedException", "Refresh Token has been revoked", refresh(revoked.AuthenticationResult.RefreshToken)...)
	})
}

// TestMigrateRefusesAMissingDataDirectory: a mistyped --data is an error,
// not an empty source.
func TestMigrateRefusesAMissingDataDirectory(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	code, out := migrateCmd(t, ctx, "--data", t.TempDir()+"/nothing", "--db", "postgres://ninsho@127.0.0.1:1/none?sslmode=disable")
	if code != 1 || !strings.Contains(out, "no SQLite store in") {
		t.Errorf("ninsho migrate with a missing --data: exit %d\n%s", code, out)
	}
	code, out = migrateCmd(t, ctx, "--data", t.TempDir())
	if code != 2 || !strings.Contains(out, "db: a PostgreSQL URL is required") {
		t.Errorf("ninsho migrate without --db: exit %d\n%s", code, out)
	}
}
