package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// receiver is an SMTP server on loopback that keeps what it accepts.
type receiver struct {
	addr string

	mu   sync.Mutex
	got  []received
	rcpt int // RCPT commands seen
	// refuse answers the first refuse RCPT commands with refuseWith.
	refuse     int
	refuseWith *smtp.SMTPError
	// users, when not nil, makes AUTH mandatory before MAIL.
	users map[string]string
	mechs []string // mechanisms clients authenticated with
	// hold, when not nil, makes DATA wait until it is closed; inData is
	// closed when a DATA has started.
	hold, inData chan struct{}
	tlsSeen      []bool // whether each accepted message came over TLS
}

type received struct {
	from string
	to   []string
	data []byte
	tls  bool
}

type receiverOptions struct {
	cert        *tls.Certificate // offer STARTTLS with it
	implicitTLS bool             // TLS from the first byte (smtps)
}

func startReceiver(t testing.TB, r *receiver, o receiverOptions) *receiver {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{r: r, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var ln net.Listener
	var err error
	if o.cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*o.cert}}
	} else {
		srv.AllowInsecureAuth = true
	}
	if o.implicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() {
		r.mu.Lock()
		if r.hold != nil {
			select {
			case <-r.hold:
			default:
				close(r.hold)
			}
		}
		r.mu.Unlock()
		srv.Close()
	})
	return r
}

func (r *receiver) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) rcptCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rcpt
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type session struct {
	r      *receiver
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string {
	if s.r.users == nil {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := s.r.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		s.r.mu.Lock()
		s.r.mechs = append(s.r.mechs, mech)
		s.r.mu.Unlock()
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		l.step++
		fallthrough
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, true, errors.New("unexpected LOGIN step")
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.users != nil && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.rcpt++
	if s.r.refuse > 0 {
		s.r.refuse--
		return s.r.refuseWith
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(rd io.Reader) error {
	s.r.mu.Lock()
	hold, inData := s.r.hold, s.r.inData
	s.r.mu.Unlock()
	if inData != nil {
		select {
		case <-inData:
		default:
			close(inData)
		}
	}
	if hold != nil {
		<-hold
		return &smtp.SMTPError{Code: 421, Message: "going away"}
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.r.mu.Lock()
	s.r.got = append(s.r.got, received{from: s.from, to: s.to, data: data, tls: isTLS})
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// parsed is a received message's headers and decoded body.
type parsed struct {
	header netmail.Header
	body   string
}

func parseReceived(t *testing.T, m received) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatalf("unparsable message: %v\n%s", err, m.data)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	msg.Header["Subject"] = []string{subject}
	return parsed{header: msg.Header, body: strings.TrimRight(string(b), "\r\n")}
}

// selfSignedCert returns a certificate for 127.0.0.1 and localhost, and a
// pool that trusts it.
func selfSignedCert(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ninsho test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}
