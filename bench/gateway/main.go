package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: gateway-bench backend|setup [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	switch os.Args[1] {
	case "backend":
		listen := fs.String("listen", "127.0.0.1:18081", "address to serve on")
		_ = fs.Parse(os.Args[2:])
		body := []byte(`{"ok":true}`)
		srv := &http.Server{Addr: *listen, ReadHeaderTimeout: 10 * time.Second,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			})}
		log.Fatal(srv.ListenAndServe())
	case "setup":
		endpoint := fs.String("endpoint", "http://127.0.0.1:18083", "ninsho's URL")
		out := fs.String("out", ".", "directory for api, token and iam")
		account := fs.String("account", "000000000000", "ninsho's account id")
		_ = fs.Parse(os.Args[2:])
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := setup(ctx, *endpoint, *account, *out); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

// root is ninsho's default root key pair.
var root = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

func setup(ctx context.Context, endpoint, account, out string) error {
	apiID, err := findAPI(ctx, endpoint, "bench")
	if err != nil {
		return err
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{Value: root}}
	idp := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(endpoint) })
	pools, err := idp.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		return fmt.Errorf("ListUserPools: %w", err)
	}
	var poolID string
	for _, p := range pools.UserPools {
		if aws.ToString(p.Name) == "bench" {
			poolID = aws.ToString(p.Id)
		}
	}
	clients, err := idp.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID)})
	if err != nil || len(clients.UserPoolClients) == 0 {
		return fmt.Errorf("ListUserPoolClients of %q: %v", poolID, err)
	}
	auth, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(poolID), ClientId: clients.UserPoolClients[0].ClientId,
		AuthFlow:       ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bench@example.com", "PASSWORD": "Bench-passw0rd"},
	})
	if err != nil || auth.AuthenticationResult == nil {
		return fmt.Errorf("AdminInitiateAuth: %v", err)
	}
	stsc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(endpoint) })
	role, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/bench-invoker"),
		RoleSessionName: aws.String("bench"), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		return fmt.Errorf("AssumeRole: %w", err)
	}
	c := role.Credentials
	req, _ := http.NewRequest("GET", endpoint+"/_aws/execute-api/"+apiID+"/iam", nil)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)},
		req, emptySHA256, "execute-api", "us-east-1", time.Now()); err != nil {
		return err
	}
	var iam strings.Builder
	for k, vv := range req.Header {
		fmt.Fprintf(&iam, "%s: %s\n", k, vv[0])
	}
	for name, v := range map[string]string{"api": apiID, "token": aws.ToString(auth.AuthenticationResult.IdToken), "iam": iam.String()} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(v), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// findAPI lists the HTTP APIs (apigatewayv2 GetApis, a signed GET /v2/apis)
// and returns the id of the one named name.
func findAPI(ctx context.Context, endpoint, name string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", endpoint+"/v2/apis", nil)
	if err := v4.NewSigner().SignHTTP(ctx, root, req, emptySHA256, "apigateway", "us-east-1", time.Now()); err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("GetApis: %s %s", resp.Status, b)
	}
	var list struct {
		Items []struct{ ApiID, Name string } `json:"items"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return "", err
	}
	for _, a := range list.Items {
		if a.Name == name {
			return a.ApiID, nil
		}
	}
	return "", errors.New("no API named " + name)
}
