// Command srp-bench measures USER_SRP_AUTH sign-ins per second against a
// Cognito-compatible endpoint (ninsho or a peer such as moto), the way
// amazon-cognito-identity-js signs in: InitiateAuth with SRP_A, then
// RespondToAuthChallenge with PASSWORD_VERIFIER and a claim computed from
// the server's SALT, SRP_B and SECRET_BLOCK. cogbench has no SRP phase;
// this fills that gap with the same conventions (loopback only, bounded by
// -duration and -ops, server CPU and RSS from /proc with -pid).
//
//	go run ./bench/srp -endpoint http://127.0.0.1:9229 -users 50 -concurrency 4 -duration 10s -pid PID
//
// The client's own SRP work (two 3072-bit exponentiations per sign-in) runs
// in this process, on the same machine: the report gives its CPU next to
// the server's. A server that does not verify the claim (moto) is reported
// as such: a sign-in with a wrong password is tried once and must fail.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ninsho/ninsho/internal/srp"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:9229", "server URL (loopback)")
	users := flag.Int("users", 50, "users to create and sign in as, round robin")
	conc := flag.Int("concurrency", 4, "concurrent sign-ins")
	dur := flag.Duration("duration", 10*time.Second, "how long to sign in")
	maxOps := flag.Int("ops", 100000, "stop after this many sign-ins")
	pid := flag.Int("pid", 0, "server process id, for its CPU time and RSS")
	flag.Parse()
	if !strings.HasPrefix(*endpoint, "http://127.0.0.1") && !strings.HasPrefix(*endpoint, "http://localhost") {
		fail("the endpoint must be on loopback")
	}
	b := &bench{url: *endpoint, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2}}}

	poolID, clientID := b.setup(*users)
	names := make([]string, *users)
	for i := range names {
		names[i] = fmt.Sprintf("srp-user-%d", i)
	}
	if _, err := b.signIn(poolID, clientID, names[0], "Wrong-Passw0rd!"); err == nil {
		fmt.Println("note: a wrong password signed in: this server does not verify the SRP claim")
	}

	cpu0, rss0 := procStat(*pid)
	self0 := selfCPU()
	var (
		mu             sync.Mutex
		total, initLat []time.Duration
		respLat        []time.Duration
		errs           int
		firstErr       string
		ops            int
		deadline       = time.Now().Add(*dur)
		wg             sync.WaitGroup
		start          = time.Now()
	)
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i += *conc {
				mu.Lock()
				if ops >= *maxOps || time.Now().After(deadline) {
					mu.Unlock()
					return
				}
				ops++
				mu.Unlock()
				t0 := time.Now()
				lat, err := b.signIn(poolID, clientID, names[i%len(names)], "Bench-Passw0rd!")
				mu.Lock()
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				} else {
					total = append(total, time.Since(t0))
					initLat = append(initLat, lat[0])
					respLat = append(respLat, lat[1])
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, rss1 := procStat(*pid)
	self1 := selfCPU()

	fmt.Printf("endpoint %s, %d users, concurrency %d, %v\n", *endpoint, *users, *conc, elapsed.Round(time.Millisecond))
	fmt.Printf("sign-ins: %d ok, %d errors (%.1f/s)\n", len(total), errs, float64(len(total))/elapsed.Seconds())
	if firstErr != "" {
		fmt.Printf("first error: %s\n", firstErr)
	}
	fmt.Printf("latency   p50 %v  p99 %v   (whole sign-in, client SRP work included)\n", pct(total, 50), pct(total, 99))
	fmt.Printf("  InitiateAuth            p50 %v  p99 %v\n", pct(initLat, 50), pct(initLat, 99))
	fmt.Printf("  RespondToAuthChallenge  p50 %v  p99 %v\n", pct(respLat, 50), pct(respLat, 99))
	fmt.Printf("client CPU %.1fs", (self1 - self0).Seconds())
	if *pid > 0 {
		per := "no sign-in succeeded"
		if len(total) > 0 {
			per = fmt.Sprintf("%.2f ms per sign-in", float64((cpu1-cpu0).Microseconds())/1000/float64(len(total)))
		}
		fmt.Printf("   server CPU %.1fs (%s)   server RSS %d→%d MB", (cpu1 - cpu0).Seconds(), per, rss0>>20, rss1>>20)
	}
	fmt.Println()
}

type bench struct {
	url  string
	http *http.Client
}

// call posts one JSON 1.1 request; signed requests carry SigV4 with test/test.
func (b *bench) call(op string, in any, signed bool) (map[string]any, error) {
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, b.url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	if signed {
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now()); err != nil {
			return nil, err
		}
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %d %s", op, resp.StatusCode, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", op, err)
	}
	return m, nil
}

func (b *bench) setup(users int) (poolID, clientID string) {
	pool, err := b.call("CreateUserPool", map[string]any{"PoolName": "srp-bench"}, true)
	if err != nil {
		fail(err.Error())
	}
	poolID = pool["UserPool"].(map[string]any)["Id"].(string)
	client, err := b.call("CreateUserPoolClient", map[string]any{"UserPoolId": poolID, "ClientName": "srp",
		"ExplicitAuthFlows": []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}, true)
	if err != nil {
		fail(err.Error())
	}
	clientID = client["UserPoolClient"].(map[string]any)["ClientId"].(string)
	for i := 0; i < users; i++ {
		name := fmt.Sprintf("srp-user-%d", i)
		if _, err := b.call("AdminCreateUser", map[string]any{"UserPoolId": poolID, "Username": name, "MessageAction": "SUPPRESS"}, true); err != nil {
			fail(err.Error())
		}
		if _, err := b.call("AdminSetUserPassword", map[string]any{"UserPoolId": poolID, "Username": name, "Password": "Bench-Passw0rd!", "Permanent": true}, true); err != nil {
			fail(err.Error())
		}
	}
	return poolID, clientID
}

// signIn runs one USER_SRP_AUTH sign-in and returns the latency of its two
// calls.
func (b *bench) signIn(poolID, clientID, username, password string) ([2]time.Duration, error) {
	var lat [2]time.Duration
	c, err := srp.NewClient(srp.PoolName(poolID))
	if err != nil {
		return lat, err
	}
	t0 := time.Now()
	ch, err := b.call("InitiateAuth", map[string]any{"ClientId": clientID, "AuthFlow": "USER_SRP_AUTH",
		"AuthParameters": map[string]string{"USERNAME": username, "SRP_A": c.AHex()}}, false)
	lat[0] = time.Since(t0)
	if err != nil {
		return lat, err
	}
	p, _ := ch["ChallengeParameters"].(map[string]any)
	str := func(k string) string { s, _ := p[k].(string); return s }
	userID := str("USER_ID_FOR_SRP")
	key, err := c.Key(userID, password, str("SALT"), str("SRP_B"))
	if err != nil {
		return lat, err
	}
	block, _ := base64.StdEncoding.DecodeString(str("SECRET_BLOCK"))
	ts := srp.FormatTimestamp(time.Now())
	t1 := time.Now()
	out, err := b.call("RespondToAuthChallenge", map[string]any{"ClientId": clientID, "ChallengeName": "PASSWORD_VERIFIER",
		"Session": ch["Session"], "ChallengeResponses": map[string]string{
			"USERNAME": userID, "PASSWORD_CLAIM_SECRET_BLOCK": str("SECRET_BLOCK"), "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, srp.PoolName(poolID), userID, block, ts)),
		}}, false)
	lat[1] = time.Since(t1)
	if err != nil {
		return lat, err
	}
	if out["AuthenticationResult"] == nil {
		return lat, fmt.Errorf("no tokens: %v", out)
	}
	return lat, nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}

// procStat reads a process's CPU time (user+system) and RSS from /proc.
func procStat(pid int) (time.Duration, int64) {
	if pid <= 0 {
		return 0, 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	rss, _ := strconv.ParseInt(f[21], 10, 64)
	const hz = 100
	return time.Duration(ut+st) * time.Second / hz, rss * int64(os.Getpagesize())
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "srp-bench:", msg)
	os.Exit(1)
}
