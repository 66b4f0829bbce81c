// Command users-bench puts many users in a user pool fast and measures what
// a large pool costs (bench/users/run.sh runs it; keep it out of make test).
//
//	users-bench load  -endpoint URL (-data DIR | -db DSN) -n 1000000 [-pool ID -client ID -start K]
//	users-bench probe -endpoint URL -pool ID -client ID -n N [-ops 2000]
//
// load creates a pool and an app client through the API (unless -pool is
// given), then writes users u0000000… straight into the store, several at a
// time, bypassing the API: CONFIRMED, enabled, with an email. The first
// -verified of them get a real SRP verifier for -password (computing one
// takes about a millisecond); the others share a dummy one and cannot sign
// in. probe measures, one request at a time, AdminInitiateAuth
// (ADMIN_USER_PASSWORD_AUTH) of random verified users and ListUsers with a
// Filter `email = "…"` of random users, and prints p50, p99 and requests/s.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
	"github.com/ninsho/ninsho/internal/store/postgres"
	"github.com/ninsho/ninsho/internal/store/sqlite"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: users-bench load|probe [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:9229", "ninsho URL")
	data := fs.String("data", "", "SQLite data directory of the server")
	db := fs.String("db", "", "PostgreSQL URL of the server")
	poolID := fs.String("pool", "", "existing pool id (load creates one when empty)")
	clientID := fs.String("client", "", "existing app client id")
	n := fs.Int("n", 10000, "users to load (load), users in the pool (probe)")
	start := fs.Int("start", 0, "index of the first user to load")
	verified := fs.Int("verified", 1000, "users with a real password verifier (the first ones)")
	password := fs.String("password", "Bench#Pass1", "password of the verified users")
	workers := fs.Int("workers", 4, "concurrent batches of 1000 users")
	ops := fs.Int("ops", 1000, "requests per probe")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	api := cip.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}})
	switch os.Args[1] {
	case "load":
		if *poolID == "" {
			p, c, err := createPool(ctx, api)
			if err != nil {
				log.Fatal(err)
			}
			*poolID, *clientID = p, c
		}
		fmt.Printf("pool %s client %s\n", *poolID, *clientID)
		st, err := open(ctx, *data, *db)
		if err != nil {
			log.Fatal(err)
		}
		defer st.Close()
		begin := time.Now()
		if err := load(ctx, st, *poolID, *start, *n, *verified, *password, *workers); err != nil {
			log.Fatal(err)
		}
		d := time.Since(begin)
		fmt.Printf("loaded %d users in %s (%.0f users/s)\n", *n, d.Round(time.Millisecond), float64(*n)/d.Seconds())
	case "probe":
		probe(ctx, api, *poolID, *clientID, *n, min(*verified, *n), *password, *ops)
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func createPool(ctx context.Context, api *cip.Client) (string, string, error) {
	p, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		return "", "", err
	}
	c, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(p.UserPool.Id), aws.ToString(c.UserPoolClient.ClientId), nil
}

func open(ctx context.Context, data, db string) (store.Store, error) {
	switch {
	case db != "":
		return postgres.Open(ctx, db)
	case data != "":
		return sqlite.Open(ctx, data)
	}
	return nil, errors.New("-data or -db is required")
}

func username(i int) string { return fmt.Sprintf("u%07d", i) }

func load(ctx context.Context, st store.Store, poolID string, start, n, verified int, password string, workers int) error {
	salt, err := srp.NewSalt()
	if err != nil {
		return err
	}
	poolName := srp.PoolName(poolID)
	dummy := srp.Verifier(poolName, "nobody", password, salt)
	now := time.Now().UTC()
	next := atomic.Int64{}
	next.Store(int64(start))
	var firstErr error
	var once sync.Once
	var done atomic.Int64
	bulk, _ := st.(store.BulkUserCreator)
	const batch = 1000
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				from := int(next.Add(batch) - batch)
				if from >= start+n {
					return
				}
				to := min(from+batch, start+n)
				us := make([]store.User, 0, to-from)
				for i := from; i < to; i++ {
					name := username(i)
					v := dummy
					if i < verified {
						v = srp.Verifier(poolName, name, password, salt)
					}
					us = append(us, store.User{PoolID: poolID, Username: name, Key: name, Sub: uuid.NewString(), Status: "CONFIRMED", Enabled: true,
						Attributes: map[string]string{"email": name + "@example.com", "email_verified": "true"},
						Password:   store.Password{Salt: salt, Verifier: v}, PasswordSetAt: now, CreatedAt: now, UpdatedAt: now})
				}
				var err error
				if bulk != nil {
					err = bulk.CreateUsers(ctx, us)
				} else {
					for _, u := range us {
						if err = st.CreateUser(ctx, u); err != nil {
							break
						}
					}
				}
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("users from %s: %w", us[0].Username, err) })
					return
				}
				if d := done.Add(int64(len(us))); d%100000 == 0 {
					log.Printf("%d users", d)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

func probe(ctx context.Context, api *cip.Client, poolID, clientID string, n, verified int, password string, ops int) {
	run := func(name string, op func() error) {
		// Warm up, then time one request at a time.
		for range 20 {
			if err := op(); err != nil {
				log.Fatalf("%s: %v", name, err)
			}
		}
		lat := make([]time.Duration, 0, ops)
		begin := time.Now()
		for range ops {
			t := time.Now()
			if err := op(); err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			lat = append(lat, time.Since(t))
		}
		total := time.Since(begin)
		slices.Sort(lat)
		fmt.Printf("%-28s users %8d  ops %5d  %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n", name, n, ops,
			float64(ops)/total.Seconds(), ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]))
	}
	run("AdminInitiateAuth", func() error {
		name := username(rand.IntN(verified))
		out, err := api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
		if err == nil && out.AuthenticationResult == nil {
			err = errors.New("no tokens")
		}
		return err
	})
	run("ListUsers email filter", func() error {
		name := username(rand.IntN(n))
		out, err := api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`email = "` + name + `@example.com"`)})
		if err == nil && (len(out.Users) != 1 || aws.ToString(out.Users[0].Username) != name) {
			err = fmt.Errorf("ListUsers for %s answered %d users", name, len(out.Users))
		}
		return err
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
