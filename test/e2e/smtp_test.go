package e2e

import (
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/emersion/go-smtp"
)

// mailbox is an SMTP receiver on loopback: what a local mail catcher
// (Mailpit, MailHog) or a real relay sees from ninsho.
type mailbox struct {
	addr string
	mu   sync.Mutex
	got  []*mail.Message
	rcpt []string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailbox) wait(t *testing.T, n int) []*mail.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m.mu.Lock()
		got := append([]*mail.Message(nil), m.got...)
		m.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages arrived, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type mailSession struct {
	m  *mailbox
	to []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	msg.Body = strings.NewReader(string(body))
	s.m.mu.Lock()
	s.m.got = append(s.m.got, msg)
	s.m.rcpt = append(s.m.rcpt, s.to...)
	s.m.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

// TestSignUpCodeBySMTP starts ninsho with --smtp-url pointing at a real SMTP
// receiver on loopback: the code of an aws-sdk-go-v2 SignUp arrives by email
// (From, To, Subject and the body with the same code as the outbox), and
// the user confirms with it.
func TestSignUpCodeBySMTP(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	box := newMailbox(t)
	srv := startServer(t, t.TempDir(), "--smtp-url", "smtp://"+box.addr+"?starttls=off", "--smtp-from", "Ninsho <no-reply@example.com>")

	admin, public := cip.NewFromConfig(sdkConfig(srv, true)), cip.NewFromConfig(sdkConfig(srv, false))
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mail"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithCode,
			EmailSubject:       aws.String("Your code for the demo"),
			EmailMessage:       aws.String("Welcome! Your code is {####}."),
		}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	if _, err := public.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("mia"), Password: aws.String("Mia-Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("mia@example.com")}}}); err != nil {
		t.Fatal(err)
	}

	msgs := box.wait(t, 1)
	msg := msgs[0]
	if from := msg.Header.Get("From"); !strings.Contains(from, "no-reply@example.com") {
		t.Errorf("From: %q", from)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "mia@example.com") {
		t.Errorf("To: %q", to)
	}
	if subj := msg.Header.Get("Subject"); subj != "Your code for the demo" {
		t.Errorf("Subject: %q", subj)
	}
	body, _ := io.ReadAll(msg.Body)
	var out struct {
		Messages []struct{ Code, Body string }
	}
	getJSON(t, ctx, srv.URL+"/_ninsho/outbox?pool="+poolID+"&to=mia@example.com&kind=SIGN_UP&limit=1", &out)
	if len(out.Messages) != 1 || out.Messages[0].Code == "" {
		t.Fatalf("outbox: %+v", out)
	}
	code := out.Messages[0].Code
	if !strings.Contains(string(body), "Welcome! Your code is "+code+".") {
		t.Fatalf("the email body %q lacks the outbox's code %s", body, code)
	}
	if _, err := public.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("mia"),
		ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("confirm with the emailed code: %v", err)
	}
	u, err := admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String("mia")})
	if err != nil || u.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("after confirmation: %+v, %v", u, err)
	}
	// One message, one recipient: nothing was sent twice.
	time.Sleep(300 * time.Millisecond)
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.got) != 1 || len(box.rcpt) != 1 {
		t.Errorf("%d messages to %v, want one to mia@example.com", len(box.got), box.rcpt)
	}
}
