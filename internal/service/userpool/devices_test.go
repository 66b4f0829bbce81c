package userpool_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
)

// claimsOf decodes a JWT's payload without verifying it (the tokens'
// signatures are checked elsewhere).
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeviceTracking(t *testing.T) {
	e := newMFAEnv(t, cip.CreateUserPoolInput{DeviceConfiguration: &cip.DeviceConfigurationType{
		ChallengeRequiredOnNewDevice: awsapi.Bool(true), DeviceOnlyRememberedOnUserPrompt: awsapi.Bool(false)}})
	e.createUser(t, "alice", mfaPassword, false)
	e.setMFA(t, cip.SetUserPoolMfaConfigInput{MfaConfiguration: awsapi.String("OPTIONAL"),
		SoftwareTokenMfaConfiguration: &cip.SoftwareTokenMfaConfigType{Enabled: awsapi.Bool(true)}})
	secret := e.enrolTOTP(t, "alice")

	signIn := func(t *testing.T, deviceKey string) *cip.AdminInitiateAuthOutput {
		t.Helper()
		params := map[string]string{"USERNAME": "alice", "PASSWORD": mfaPassword}
		if deviceKey != "" {
			params["DEVICE_KEY"] = deviceKey
		}
		out, err := e.svc.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: awsapi.String(e.poolID), ClientId: awsapi.String(e.clientID),
			AuthFlow: awsapi.String("ADMIN_USER_PASSWORD_AUTH"), AuthParameters: params})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	totpAnswer := func(t *testing.T, out *cip.AdminInitiateAuthOutput) *cip.AuthenticationResultType {
		t.Helper()
		if awsapi.ToString(out.ChallengeName) != "SOFTWARE_TOKEN_MFA" {
			t.Fatalf("challenge %q, want SOFTWARE_TOKEN_MFA", awsapi.ToString(out.ChallengeName))
		}
		e.now = e.now.Add(30 * time.Second)
		res, err := e.answer("SOFTWARE_TOKEN_MFA", out.Session, map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": e.code(t, secret, e.now)})
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, res.AuthenticationResult)
		return res.AuthenticationResult
	}

	// A sign-in from a new device: MFA, then tokens with the device.
	res := totpAnswer(t, signIn(t, ""))
	meta := res.NewDeviceMetadata
	if meta == nil || !strings.HasPrefix(awsapi.ToString(meta.DeviceKey), "us-east-1_") || !strings.HasPrefix(awsapi.ToString(meta.DeviceGroupKey), "-") {
		t.Fatalf("NewDeviceMetadata %+v", meta)
	}
	deviceKey, groupKey := *meta.DeviceKey, *meta.DeviceGroupKey
	if got := claimsOf(t, *res.AccessToken)["device_key"]; got != deviceKey {
		t.Fatalf("access token device_key %v, want %s", got, deviceKey)
	}
	at := res.AccessToken

	list := func(t *testing.T) []cip.DeviceType {
		t.Helper()
		l, err := e.svc.ListDevices(e.ctx, &cip.ListDevicesInput{AccessToken: at})
		if err != nil {
			t.Fatal(err)
		}
		return l.Devices
	}
	if n := len(list(t)); n != 0 {
		t.Fatalf("an unconfirmed device is listed (%d)", n)
	}

	// The client confirms the device with the verifier of a random password.
	const devicePassword = "random-device-secret"
	salt, err := srp.NewSalt()
	if err != nil {
		t.Fatal(err)
	}
	verifier := srp.Verifier(groupKey, deviceKey, devicePassword, salt)
	conf, err := e.svc.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: awsapi.String(deviceKey), DeviceName: awsapi.String("laptop"),
		DeviceSecretVerifierConfig: &cip.DeviceSecretVerifierConfigType{
			PasswordVerifier: awsapi.String(base64.StdEncoding.EncodeToString(verifier)), Salt: awsapi.String(base64.StdEncoding.EncodeToString(salt))}})
	if err != nil || awsapi.ToBool(conf.UserConfirmationNecessary) {
		t.Fatalf("ConfirmDevice: %v %+v", err, conf)
	}
	_, err = e.svc.ConfirmDevice(e.ctx, &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: awsapi.String("us-east-1_nope"),
		DeviceSecretVerifierConfig: conf2(verifier, salt)})
	wantErr(t, err, "ResourceNotFoundException", "Device does not exist.")
	devs := list(t)
	if len(devs) != 1 || *devs[0].DeviceKey != deviceKey {
		t.Fatalf("ListDevices %+v", devs)
	}
	attrs := map[string]string{}
	for _, a := range devs[0].DeviceAttributes {
		attrs[*a.Name] = *a.Value
	}
	if attrs["device_name"] != "laptop" || attrs["device_remembered_status"] != "remembered" {
		t.Fatalf("device attributes %v", attrs)
	}

	deviceSignIn := func(t *testing.T, password string) (*cip.RespondToAuthChallengeOutput, error) {
		t.Helper()
		out := signIn(t, deviceKey)
		if awsapi.ToString(out.ChallengeName) != "DEVICE_SRP_AUTH" {
			t.Fatalf("challenge %q, want DEVICE_SRP_AUTH", awsapi.ToString(out.ChallengeName))
		}
		c, err := srp.NewClient(groupKey)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := e.answer("DEVICE_SRP_AUTH", out.Session, map[string]string{"USERNAME": "alice", "DEVICE_KEY": deviceKey, "SRP_A": c.AHex()})
		if err != nil || awsapi.ToString(ch.ChallengeName) != "DEVICE_PASSWORD_VERIFIER" {
			t.Fatalf("DEVICE_SRP_AUTH: %v %+v", err, ch)
		}
		p := ch.ChallengeParameters
		key, err := c.Key(deviceKey, password, p["SALT"], p["SRP_B"])
		if err != nil {
			t.Fatal(err)
		}
		block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
		ts := srp.FormatTimestamp(e.now)
		return e.answer("DEVICE_PASSWORD_VERIFIER", ch.Session, map[string]string{
			"USERNAME": "alice", "DEVICE_KEY": deviceKey, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, groupKey, deviceKey, block, ts)),
		})
	}

	t.Run("a remembered device proves itself instead of MFA", func(t *testing.T) {
		fin, err := deviceSignIn(t, devicePassword)
		if err != nil {
			t.Fatal(err)
		}
		wantTokens(t, fin.AuthenticationResult)
		if fin.AuthenticationResult.NewDeviceMetadata != nil || claimsOf(t, *fin.AuthenticationResult.AccessToken)["device_key"] != deviceKey {
			t.Fatalf("tokens of a device sign-in: %+v", fin.AuthenticationResult)
		}
	})
	t.Run("a refresh with DEVICE_KEY keeps the device in the access token", func(t *testing.T) {
		refresh := func(deviceKey string) map[string]any {
			params := map[string]string{"REFRESH_TOKEN": *res.RefreshToken}
			if deviceKey != "" {
				params["DEVICE_KEY"] = deviceKey
			}
			out, err := e.svc.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: awsapi.String(e.clientID),
				AuthFlow: awsapi.String("REFRESH_TOKEN_AUTH"), AuthParameters: params})
			if err != nil {
				t.Fatal(err)
			}
			return claimsOf(t, *out.AuthenticationResult.AccessToken)
		}
		if got := refresh(deviceKey)["device_key"]; got != deviceKey {
			t.Fatalf("device_key %v after refresh with DEVICE_KEY", got)
		}
		if got, ok := refresh("us-east-1_not-a-device")["device_key"]; ok {
			t.Fatalf("device_key %v for an unknown device", got)
		}
	})
	t.Run("a wrong device password is refused", func(t *testing.T) {
		_, err := deviceSignIn(t, "not-the-device-secret")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})
	t.Run("a device no longer remembered gets MFA", func(t *testing.T) {
		if _, err := e.svc.AdminUpdateDeviceStatus(e.ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: awsapi.String(e.poolID),
			Username: awsapi.String("alice"), DeviceKey: awsapi.String(deviceKey), DeviceRememberedStatus: awsapi.String("not_remembered")}); err != nil {
			t.Fatal(err)
		}
		res := totpAnswer(t, signIn(t, deviceKey))
		if res.NewDeviceMetadata != nil || claimsOf(t, *res.AccessToken)["device_key"] != deviceKey {
			t.Fatalf("tokens after MFA from a known device: %+v", res)
		}
	})
	t.Run("a forgotten device is unknown", func(t *testing.T) {
		if _, err := e.svc.ForgetDevice(e.ctx, &cip.ForgetDeviceInput{AccessToken: at, DeviceKey: awsapi.String(deviceKey)}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.AdminGetDevice(e.ctx, &cip.AdminGetDeviceInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("alice"), DeviceKey: awsapi.String(deviceKey)})
		wantErr(t, err, "ResourceNotFoundException", "Device does not exist.")
		res := totpAnswer(t, signIn(t, deviceKey))
		if res.NewDeviceMetadata == nil || *res.NewDeviceMetadata.DeviceKey == deviceKey {
			t.Fatalf("a forgotten device's sign-in: %+v", res.NewDeviceMetadata)
		}
	})
	t.Run("deleting the user and the pool removes their devices and MFA settings", func(t *testing.T) {
		if _, err := e.svc.AdminDeleteUser(e.ctx, &cip.AdminDeleteUserInput{UserPoolId: awsapi.String(e.poolID), Username: awsapi.String("alice")}); err != nil {
			t.Fatal(err)
		}
		objs, err := e.svc.Store.ListObjects(e.ctx, "userpool.device", e.poolID+"/", store.Page{Limit: 10})
		if err != nil || len(objs) != 0 {
			t.Fatalf("devices after AdminDeleteUser: %v %d", err, len(objs))
		}
		if _, err := e.svc.DeleteUserPool(e.ctx, &cip.DeleteUserPoolInput{UserPoolId: awsapi.String(e.poolID)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Store.GetObject(e.ctx, "userpool.mfa", e.poolID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("pool MFA settings after DeleteUserPool: %v", err)
		}
	})
}

func conf2(verifier, salt []byte) *cip.DeviceSecretVerifierConfigType {
	return &cip.DeviceSecretVerifierConfigType{PasswordVerifier: awsapi.String(base64.StdEncoding.EncodeToString(verifier)),
		Salt: awsapi.String(base64.StdEncoding.EncodeToString(salt))}
}
