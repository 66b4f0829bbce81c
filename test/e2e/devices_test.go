package e2e

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ninsho/ninsho/internal/srp"
)

// TestDevicesWithAWSSDKForGo tracks a device with aws-sdk-go-v2: the
// sign-in hands out NewDeviceMetadata, ConfirmDevice stores the device's
// SRP verifier, the next sign-in with DEVICE_KEY proves the device by
// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER (computed with ninsho's Go port
// of the amazon-cognito-identity-js client), and the device APIs list,
// update and forget it.
func TestDevicesWithAWSSDKForGo(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	srv := startServer(t, t.TempDir())
	admin := cip.NewFromConfig(sdkConfig(srv, true))
	public := cip.NewFromConfig(sdkConfig(srv, false))

	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("devices"),
		DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	const password = "Dev#Passw0rd"
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("dora"),
		TemporaryPassword: aws.String("Temp#Pass1"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("dora"),
		Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	signIn := func(t *testing.T, deviceKey string) *cip.InitiateAuthOutput {
		t.Helper()
		params := map[string]string{"USERNAME": "dora", "PASSWORD": password}
		if deviceKey != "" {
			params["DEVICE_KEY"] = deviceKey
		}
		out, err := public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		return out
	}

	var deviceKey, groupKey, accessToken string
	const devicePassword = "device-random-password"
	mustStep(t, "sign-in hands out a new device, which the client confirms", func(t *testing.T) {
		out := signIn(t, "")
		r := out.AuthenticationResult
		if r == nil || r.NewDeviceMetadata == nil {
			t.Fatalf("InitiateAuth: %+v", out)
		}
		deviceKey, groupKey = aws.ToString(r.NewDeviceMetadata.DeviceKey), aws.ToString(r.NewDeviceMetadata.DeviceGroupKey)
		accessToken = aws.ToString(r.AccessToken)
		access := mustVerify(t, accessToken, fetchJWKS(t, ctx, srv.URL, poolID))
		if access.Claims["device_key"] != deviceKey {
			t.Fatalf("access token device_key %v, want %s", access.Claims["device_key"], deviceKey)
		}
		salt, err := srp.NewSalt()
		if err != nil {
			t.Fatal(err)
		}
		conf, err := public.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: aws.String(accessToken), DeviceKey: aws.String(deviceKey),
			DeviceName: aws.String("e2e laptop"),
			DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{
				PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(srp.Verifier(groupKey, deviceKey, devicePassword, salt))),
				Salt:             aws.String(base64.StdEncoding.EncodeToString(salt)),
			}})
		if err != nil || !conf.UserConfirmationNecessary {
			t.Fatalf("ConfirmDevice: %v %+v (the pool remembers devices on user prompt only)", err, conf)
		}
		if _, err := public.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: aws.String(accessToken), DeviceKey: aws.String(deviceKey),
			DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}); err != nil {
			t.Fatal(err)
		}
		l, err := public.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: aws.String(accessToken)})
		if err != nil || len(l.Devices) != 1 || aws.ToString(l.Devices[0].DeviceKey) != deviceKey {
			t.Fatalf("ListDevices: %v %+v", err, l)
		}
	})

	mustStep(t, "the next sign-in proves the device by device SRP", func(t *testing.T) {
		out := signIn(t, deviceKey)
		if out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("InitiateAuth: %+v", out)
		}
		c, err := srp.NewClient(groupKey)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeDeviceSrpAuth, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "dora", "DEVICE_KEY": deviceKey, "SRP_A": c.AHex()}})
		if err != nil || ch.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier {
			t.Fatalf("DEVICE_SRP_AUTH: %v %+v", err, ch)
		}
		p := ch.ChallengeParameters
		key, err := c.Key(deviceKey, devicePassword, p["SALT"], p["SRP_B"])
		if err != nil {
			t.Fatal(err)
		}
		block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
		if err != nil {
			t.Fatal(err)
		}
		ts := srp.FormatTimestamp(time.Now())
		res, err := public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, Session: ch.Session,
			ChallengeResponses: map[string]string{"USERNAME": "dora", "DEVICE_KEY": deviceKey, "TIMESTAMP": ts,
				"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(srp.ClaimSignature(key, groupKey, deviceKey, block, ts))}})
		if err != nil {
			t.Fatal(err)
		}
		if r := res.AuthenticationResult; r == nil || r.AccessToken == nil || r.NewDeviceMetadata != nil {
			t.Fatalf("DEVICE_PASSWORD_VERIFIER: %+v", res)
		}
	})

	mustStep(t, "a forgotten device is gone", func(t *testing.T) {
		if _, err := admin.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: aws.String(poolID), Username: aws.String("dora"), DeviceKey: aws.String(deviceKey)}); err != nil {
			t.Fatal(err)
		}
		_, err := public.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: aws.String(accessToken), DeviceKey: aws.String(deviceKey)})
		var nf *types.ResourceNotFoundException
		wantAPIError(t, err, &nf, "Device does not exist.")
		if out := signIn(t, deviceKey); out.AuthenticationResult == nil || out.AuthenticationResult.NewDeviceMetadata == nil {
			t.Fatalf("sign-in with a forgotten device: %+v", out)
		}
	})
}
