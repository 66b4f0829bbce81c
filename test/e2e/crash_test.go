package e2e

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	_ "modernc.org/sqlite"
)

// kill ends the server with SIGKILL, as a crash or an OOM kill would: no
// shutdown, no checkpoint, no connection closed cleanly.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		t.Fatal("kill: the server is not running")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-done
}

// TestAcknowledgedWritesSurviveAKill runs AdminCreateUser from several
// goroutines, kills the server with SIGKILL in the middle, restarts it on
// the same store and checks that every user whose creation was answered
// with HTTP 200 is there: on SQLite (WAL, synchronous=NORMAL) and on
// PostgreSQL.
func TestAcknowledgedWritesSurviveAKill(t *testing.T) {
	t.Parallel()
	if os.Getenv("NINSHO_E2E_BACKEND") == "postgres" {
		t.Skip("runs both backends itself, in the SQLite pass")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, testTimeout)
			dataDir := t.TempDir()
			var args []string
			if backend == "postgres" {
				args = []string{"--db", postgresDB(t)}
			}
			srv := startServer(t, dataDir, args...)
			admin := cip.NewFromConfig(ownTransport(sdkConfig(srv, true)))
			pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("crash")})
			if err != nil {
				t.Fatal(err)
			}
			poolID := pool.UserPool.Id

			const writers = 6
			var (
				mu    sync.Mutex
				acked []string
				wg    sync.WaitGroup
				stop  = make(chan struct{})
			)
			for w := range writers {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						name := fmt.Sprintf("w%d-%05d", w, i)
						_, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(name),
							MessageAction:  types.MessageActionTypeSuppress,
							UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
						if err == nil {
							mu.Lock()
							acked = append(acked, name)
							mu.Unlock()
						} else {
							// Refused connections after the kill: wait
							// for the test to stop the writers.
							time.Sleep(10 * time.Millisecond)
						}
					}
				})
			}
			// Kill once the load is well under way (or after 10 s on a
			// slow machine), while the writers keep writing.
			deadline := time.Now().Add(10 * time.Second)
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 150 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			srv.kill(t)
			close(stop)
			wg.Wait()
			if len(acked) < 20 {
				t.Fatalf("only %d writes were acknowledged before the kill", len(acked))
			}

			srv.restart(t)
			// A client of its own: none of the connections to the killed
			// process is reused.
			admin = cip.NewFromConfig(ownTransport(sdkConfig(srv, true)))
			missing := 0
			for _, name := range acked {
				if _, err := admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String(name)}); err != nil {
					missing++
					t.Errorf("acknowledged user %s after the restart: %v", name, err)
				}
			}
			var listed int
			var token *string
			for {
				in := &cip.ListUsersInput{UserPoolId: poolID, Limit: aws.Int32(60), PaginationToken: token}
				page, err := admin.ListUsers(ctx, in)
				var api smithy.APIError
				if err != nil && !errors.As(err, &api) {
					// Rarely (about one run in ten, seen on SQLite
					// only) the client reads "use of closed network
					// connection" in the body of a 200 answer. Traced:
					// net/http's write loop closes the connection after
					// the answer has arrived, for an error of the
					// request's write that no socket write reported
					// (the SDK's request body), so the server is not at
					// fault; the same request asked again answers.
					t.Logf("ListUsers after the restart, asked again: %v", err)
					page, err = admin.ListUsers(ctx, in)
				}
				if err != nil {
					t.Errorf("ListUsers after the restart: %v", err)
					break
				}
				listed += len(page.Users)
				if token = page.PaginationToken; token == nil {
					break
				}
			}
			// A write in flight at the kill may have committed unanswered:
			// at most one per writer.
			if listed < len(acked) || listed > len(acked)+writers {
				t.Errorf("ListUsers lists %d users; %d were acknowledged", listed, len(acked))
			}
			if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("after-restart"),
				MessageAction: types.MessageActionTypeSuppress}); err != nil {
				t.Errorf("AdminCreateUser after the restart: %v", err)
			}
			t.Logf("%s: %d writes acknowledged before SIGKILL, %d missing after the restart, %d listed", backend, len(acked), missing, listed)
			if backend == "sqlite" {
				checkSQLiteIntegrity(t, filepath.Join(dataDir, "ninsho.db"))
			}
		})
	}
}

// ownTransport gives cfg an HTTP transport of its own rather than
// http.DefaultTransport, whose pool other tests share.
func ownTransport(cfg aws.Config) aws.Config {
	cfg.HTTPClient = &http.Client{Timeout: callTimeout, Transport: &http.Transport{}}
	return cfg
}

// checkSQLiteIntegrity runs PRAGMA integrity_check on the database file.
func checkSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
}
