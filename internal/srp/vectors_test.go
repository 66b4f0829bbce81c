package srp

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"
)

// vectors is testdata/vectors.json, made by testdata/gen_vectors.js from the
// real amazon-cognito-identity-js client.
type vectors struct {
	Generator string `json:"generator"`
	N         string `json:"N"`
	G         string `json:"g"`
	K         string `json:"k"`
	PadHex    []struct {
		Int string `json:"int"`
		Pad string `json:"pad"`
	} `json:"pad_hex"`
	Timestamps []struct {
		UnixMS int64  `json:"unix_ms"`
		Text   string `json:"text"`
	} `json:"timestamps"`
	UserSRP   []srpVector `json:"user_srp"`
	DeviceSRP []srpVector `json:"device_srp"`
}

// srpVector is one exchange. Fields from the library's own output are
// InitiateAuthParameters / DeviceSRPAuthResponses (SRP_A), ChallengeResponses
// (signature, timestamp), and the recorded a, A, k, u, x, S, the HKDF inputs
// and the key. b, B and v are the scripted server's.
type srpVector struct {
	Name                   string            `json:"name"`
	PoolID                 string            `json:"pool_id"`
	PoolName               string            `json:"pool_name"`
	Username               string            `json:"username"`
	UserIDForSRP           string            `json:"user_id_for_srp"`
	Password               string            `json:"password"`
	DeviceGroupKey         string            `json:"device_group_key"`
	DeviceKey              string            `json:"device_key"`
	DeviceRandomPassword   string            `json:"device_random_password"`
	ConfirmDeviceSaltB64   string            `json:"confirm_device_salt_b64"`
	ConfirmDeviceVerifier  string            `json:"confirm_device_verifier_b64"`
	Salt                   string            `json:"salt"`
	V                      string            `json:"v"`
	SmallB                 string            `json:"b"`
	B                      string            `json:"B"`
	SecretBlock            string            `json:"secret_block"`
	NowUnixMS              int64             `json:"now_unix_ms"`
	InitiateAuthParameters map[string]string `json:"initiate_auth_parameters"`
	DeviceSRPAuthResponses map[string]string `json:"device_srp_auth_responses"`
	ChallengeResponses     map[string]string `json:"challenge_responses"`
	X                      string            `json:"x"`
	S                      string            `json:"S"`
	PadS                   string            `json:"hkdf_ikm_pad_S"`
	PadU                   string            `json:"hkdf_salt_pad_u"`
	Key                    string            `json:"key"`
	U                      string            `json:"u"`
	SmallA                 string            `json:"a"`
	A                      string            `json:"A"`
	K                      string            `json:"k"`
}

// group and user are the SRP "pool name" and user id of a vector: the pool
// name and USER_ID_FOR_SRP, or the device group key and device key.
func (v srpVector) group() string {
	if v.DeviceKey != "" {
		return v.DeviceGroupKey
	}
	return v.PoolName
}

func (v srpVector) user() string {
	if v.DeviceKey != "" {
		return v.DeviceKey
	}
	return v.UserIDForSRP
}

func (v srpVector) password() string {
	if v.DeviceKey != "" {
		return v.DeviceRandomPassword
	}
	return v.Password
}

func (v srpVector) srpA() string {
	if v.DeviceKey != "" {
		return v.DeviceSRPAuthResponses["SRP_A"]
	}
	return v.InitiateAuthParameters["SRP_A"]
}

func loadVectors(t testing.TB) *vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs vectors
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs.UserSRP) == 0 || len(vs.DeviceSRP) == 0 || len(vs.Timestamps) == 0 {
		t.Fatal("vectors.json has no vectors")
	}
	return &vs
}

func hexInt(t *testing.T, s string) *big.Int {
	t.Helper()
	n, err := parseHex(s)
	if err != nil {
		t.Fatalf("bad hex %q in vectors: %v", s, err)
	}
	return n
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGroupMatchesTheJSLibrary(t *testing.T) {
	vs := loadVectors(t)
	if groupN.Cmp(hexInt(t, vs.N)) != 0 {
		t.Error("N differs from AuthenticationHelper's initN")
	}
	if groupG.Cmp(hexInt(t, vs.G)) != 0 {
		t.Error("g differs")
	}
	if groupK.Cmp(hexInt(t, vs.K)) != 0 {
		t.Errorf("k = %x, the library has %s", groupK, vs.K)
	}
}

func TestPadMatchesPadHex(t *testing.T) {
	vs := loadVectors(t)
	for _, c := range vs.PadHex {
		name := c.Int
		if len(name) > 12 {
			name = name[:12] + "…"
		}
		t.Run("padHex of "+name, func(t *testing.T) {
			if got := hex.EncodeToString(pad(hexInt(t, c.Int))); got != strings.ToLower(c.Pad) {
				t.Errorf("pad = %s, padHex = %s", got, c.Pad)
			}
		})
	}
}

func TestTimestampsMatchDateHelper(t *testing.T) {
	vs := loadVectors(t)
	for _, c := range vs.Timestamps {
		t.Run(c.Text, func(t *testing.T) {
			at := time.UnixMilli(c.UnixMS)
			if got := FormatTimestamp(at); got != c.Text {
				t.Errorf("FormatTimestamp = %q, getNowString = %q", got, c.Text)
			}
			parsed, err := ParseTimestamp(c.Text)
			if err != nil {
				t.Fatalf("ParseTimestamp refused the library's output: %v", err)
			}
			if !parsed.Equal(at) {
				t.Errorf("ParseTimestamp = %v, want %v", parsed, at.UTC())
			}
		})
	}
}

// TestServerAcceptsTheJSLibrary plays the server against what the real
// client sent: with the same b, the Go server must send the same SRP_B,
// derive the same key from the library's SRP_A and accept the library's
// PASSWORD_CLAIM_SIGNATURE.
func TestServerAcceptsTheJSLibrary(t *testing.T) {
	vs := loadVectors(t)
	for _, v := range append(vs.UserSRP, vs.DeviceSRP...) {
		t.Run(v.Name, func(t *testing.T) {
			salt := hexInt(t, v.Salt)
			var verifier []byte
			if v.DeviceKey != "" {
				// The server stores what ConfirmDevice sent: padHex bytes,
				// possibly with a leading 00.
				saltBytes := unb64(t, v.ConfirmDeviceSaltB64)
				verifier = unb64(t, v.ConfirmDeviceVerifier)
				if got := SaltHex(saltBytes); got != v.Salt {
					t.Errorf("SaltHex(ConfirmDevice salt) = %s, want %s", got, v.Salt)
				}
				if !VerifyPassword(v.group(), v.user(), v.password(), saltBytes, verifier) {
					t.Error("VerifyPassword refused the device verifier made by generateHashDevice")
				}
			} else {
				if PoolName(v.PoolID) != v.PoolName {
					t.Errorf("PoolName(%q) = %q, want %q", v.PoolID, PoolName(v.PoolID), v.PoolName)
				}
				verifier = Verifier(v.group(), v.user(), v.password(), salt.Bytes())
			}
			if new(big.Int).SetBytes(verifier).Cmp(hexInt(t, v.V)) != 0 {
				t.Fatal("verifier differs")
			}
			if x := computeX(v.group(), v.user(), v.password(), salt); x.Cmp(hexInt(t, v.X)) != 0 {
				t.Errorf("x = %x, the library has %s", x, v.X)
			}

			s, ok := serverSessionFromB(new(big.Int).SetBytes(verifier), hexInt(t, v.SmallB))
			if !ok {
				t.Fatal("b rejected")
			}
			if s.BHex() != v.B {
				t.Fatalf("SRP_B = %s…, want %s…", s.BHex()[:16], v.B[:16])
			}
			aHex := v.srpA()
			if aHex == "" || aHex != v.A {
				t.Fatalf("SRP_A %q is not the recorded A", aHex)
			}
			u := computeU(hexInt(t, aHex), s.bigB)
			if u.Cmp(hexInt(t, v.U)) != 0 || hex.EncodeToString(pad(u)) != v.PadU {
				t.Errorf("u/PAD(u) differ: %s", hex.EncodeToString(pad(u)))
			}
			key, err := s.Key(aHex)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != v.Key {
				t.Fatalf("key = %x, the library derived %s", key, v.Key)
			}

			cr := v.ChallengeResponses
			secret := unb64(t, cr["PASSWORD_CLAIM_SECRET_BLOCK"])
			if cr["PASSWORD_CLAIM_SECRET_BLOCK"] != v.SecretBlock {
				t.Error("the client did not echo SECRET_BLOCK")
			}
			sig := base64.StdEncoding.EncodeToString(ClaimSignature(key, v.group(), v.user(), secret, cr["TIMESTAMP"]))
			if sig != cr["PASSWORD_CLAIM_SIGNATURE"] {
				t.Errorf("signature = %s, the library sent %s", sig, cr["PASSWORD_CLAIM_SIGNATURE"])
			}
			if !VerifyClaim(key, v.group(), v.user(), secret, cr["TIMESTAMP"], cr["PASSWORD_CLAIM_SIGNATURE"]) {
				t.Error("VerifyClaim refused the library's claim")
			}
			if ts, err := ParseTimestamp(cr["TIMESTAMP"]); err != nil || !ts.Equal(time.UnixMilli(v.NowUnixMS)) {
				t.Errorf("ParseTimestamp(%q) = %v, %v", cr["TIMESTAMP"], ts, err)
			}
		})
	}
}

// TestClientMatchesTheJSLibrary runs the Go client with the library's a and
// checks it sends the same SRP_A and derives the same S and key.
func TestClientMatchesTheJSLibrary(t *testing.T) {
	vs := loadVectors(t)
	for _, v := range append(vs.UserSRP, vs.DeviceSRP...) {
		t.Run(v.Name, func(t *testing.T) {
			c, err := newClientFromA(v.group(), hexInt(t, v.SmallA))
			if err != nil {
				t.Fatal(err)
			}
			if c.AHex() != v.srpA() {
				t.Fatalf("SRP_A = %s…, the library sent %s…", c.AHex()[:16], v.srpA()[:16])
			}
			key, err := c.Key(v.user(), v.password(), v.Salt, v.B)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != v.Key {
				t.Errorf("key = %x, want %s", key, v.Key)
			}
			// S and PAD(S), through the server formula with the recorded b.
			s, _ := serverSessionFromB(hexInt(t, v.V), hexInt(t, v.SmallB))
			u := hexInt(t, v.U)
			base := new(big.Int).Exp(s.v, u, groupN)
			base.Mul(base, hexInt(t, v.A)).Mod(base, groupN)
			sv := new(big.Int).Exp(base, s.b, groupN)
			if sv.Cmp(hexInt(t, v.S)) != 0 || hex.EncodeToString(pad(sv)) != v.PadS {
				t.Error("S or PAD(S) differs from calculateS")
			}
		})
	}
}
