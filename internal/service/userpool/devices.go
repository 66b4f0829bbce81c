package userpool

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/srp"
	"github.com/ninsho/ninsho/internal/store"
)

// Device tracking. When a pool has a DeviceConfiguration, a sign-in without
// a known device answers with NewDeviceMetadata (a device key and group
// key); the client confirms the device with ConfirmDevice, sending the SRP
// verifier of a random device password. Later sign-ins present DEVICE_KEY
// and prove the device with DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER (the
// SRP of srp.go with the group key as pool name and the device key as user
// id), which replaces MFA for a remembered device when the pool sets
// ChallengeRequiredOnNewDevice.

// deviceKind is the object kind of devices; key: pool id/sub/device key,
// so that one user's devices list by prefix, and a user deleted and
// created again under the same name does not inherit them.
const deviceKind = "userpool.device"

// unconfirmedDeviceTTL bounds how long a device handed out at sign-in
// waits for ConfirmDevice.
const unconfirmedDeviceTTL = 24 * time.Hour

type device struct {
	Key        string    `json:"key"`
	GroupKey   string    `json:"groupKey"`
	Sub        string    `json:"sub"`
	Confirmed  bool      `json:"confirmed"`
	Remembered bool      `json:"remembered"`
	Name       string    `json:"name,omitempty"`
	Salt       []byte    `json:"salt,omitempty"`
	Verifier   []byte    `json:"verifier,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ModifiedAt time.Time `json:"modifiedAt"`
	LastAuthAt time.Time `json:"lastAuthAt"`
}

func deviceObjectKey(poolID, sub, key string) string { return poolID + "/" + sub + "/" + key }

func (p *pool) tracksDevices() bool { return p.cfg.DeviceConfiguration != nil }

func errNoDevice() error { return cip.NewResourceNotFoundException("Device does not exist.") }

// loadDevice returns u's device key; unconfirmed ones only when
// withUnconfirmed.
func (s *Service) loadDevice(ctx context.Context, p *pool, u store.User, key string, withUnconfirmed bool) (device, error) {
	var d device
	o, err := s.Store.GetObject(ctx, deviceKind, deviceObjectKey(p.rec.ID, u.Sub, key))
	if errors.Is(err, store.ErrNotFound) {
		return d, errNoDevice()
	}
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(o.Value, &d); err != nil {
		return d, err
	}
	if !d.Confirmed && (!withUnconfirmed || !s.now().Before(o.ExpiresAt)) {
		return d, errNoDevice()
	}
	return d, nil
}

func (s *Service) saveDevice(ctx context.Context, p *pool, d device) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	o := store.Object{Kind: deviceKind, Key: deviceObjectKey(p.rec.ID, d.Sub, d.Key), Value: raw, CreatedAt: d.CreatedAt, UpdatedAt: d.ModifiedAt}
	if !d.Confirmed {
		o.ExpiresAt = d.CreatedAt.Add(unconfirmedDeviceTTL)
	}
	return s.Store.PutObject(ctx, o)
}

// newDevice records an unconfirmed device for u and returns it.
func (s *Service) newDevice(ctx context.Context, p *pool, u store.User) (device, error) {
	now := s.now()
	d := device{Key: s.Region + "_" + uuid.NewString(), GroupKey: "-" + newOpaqueToken(9), Sub: u.Sub,
		CreatedAt: now, ModifiedAt: now, LastAuthAt: now}
	return d, s.saveDevice(ctx, p, d)
}

// presentedDevice is the confirmed device of u that a sign-in names in
// DEVICE_KEY, or "" when it names none (or one that is not u's).
func (s *Service) presentedDevice(ctx context.Context, p *pool, u store.User, key string) (device, bool, error) {
	if key == "" || !p.tracksDevices() {
		return device{}, false, nil
	}
	d, err := s.loadDevice(ctx, p, u, key, false)
	if e, ok := awserr.As(err); ok && e.Code == "ResourceNotFoundException" {
		return device{}, false, nil
	}
	if err != nil {
		return device{}, false, err
	}
	return d, true, nil
}

// skipsMFA reports whether device d replaces MFA for its user.
func (p *pool) skipsMFA(d device) bool {
	return d.Remembered && awsapi.ToBool(p.cfg.DeviceConfiguration.ChallengeRequiredOnNewDevice)
}

// deviceSessionData is the Data of DEVICE_SRP_AUTH and
// DEVICE_PASSWORD_VERIFIER sessions.
type deviceSessionData struct {
	DeviceKey string `json:"deviceKey"`
	Server    []byte `json:"server,omitempty"`
	A         string `json:"a,omitempty"`
}

func (s *Service) openDeviceSRP(ctx context.Context, p *pool, c *client, u store.User, d device) (*authResult, error) {
	raw, _ := json.Marshal(deviceSessionData{DeviceKey: d.Key})
	session, err := s.openSession(ctx, p, c, u, "DEVICE_SRP_AUTH", raw)
	if err != nil {
		return nil, err
	}
	return &authResult{challenge: "DEVICE_SRP_AUTH", session: session, params: map[string]string{}}, nil
}

// deviceSRPChallenge answers DEVICE_SRP_AUTH (DEVICE_KEY, SRP_A) with the
// DEVICE_PASSWORD_VERIFIER challenge.
func deviceSRPChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	var sd deviceSessionData
	if err := json.Unmarshal(r.session.Data, &sd); err != nil {
		return nil, err
	}
	aHex := r.responses["SRP_A"]
	if aHex == "" {
		return nil, cip.NewInvalidParameterException("Missing required parameter SRP_A")
	}
	if r.responses["DEVICE_KEY"] != sd.DeviceKey {
		return nil, cip.NewNotAuthorizedException("Invalid device key given.")
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	d, err := s.loadDevice(ctx, r.pool, r.user, sd.DeviceKey, false)
	if err != nil {
		return nil, err
	}
	ss, err := srp.NewServerSession(d.Verifier)
	if err != nil {
		return nil, err
	}
	server, err := ss.MarshalBinary()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(deviceSessionData{DeviceKey: d.Key, Server: server, A: aHex})
	session, err := s.openSession(ctx, r.pool, r.client, r.user, "DEVICE_PASSWORD_VERIFIER", raw)
	if err != nil {
		return nil, err
	}
	return &authResult{challenge: "DEVICE_PASSWORD_VERIFIER", session: session, params: map[string]string{
		"SALT":         srp.SaltHex(d.Salt),
		"SRP_B":        ss.BHex(),
		"SECRET_BLOCK": base64.StdEncoding.EncodeToString([]byte(session)),
		"USERNAME":     r.user.Username,
		"DEVICE_KEY":   d.Key,
	}}, nil
}

// devicePasswordVerifierChallenge answers DEVICE_PASSWORD_VERIFIER: the
// claim proves the client holds the device password.
func devicePasswordVerifierChallenge(ctx context.Context, s *Service, r *challengeRequest) (*authResult, error) {
	block, signature, timestamp, err := verifierResponses(r.responses)
	if err != nil {
		return nil, err
	}
	if err := s.consumeSession(ctx, r.session.Hash); err != nil {
		return nil, err
	}
	var sd deviceSessionData
	if err := json.Unmarshal(r.session.Data, &sd); err != nil {
		return nil, err
	}
	refused := cip.NewNotAuthorizedException("Incorrect username or password.")
	secret, err := base64.StdEncoding.DecodeString(block)
	if err != nil || !hmac.Equal(hashToken(string(secret)), r.session.Hash) || r.responses["DEVICE_KEY"] != sd.DeviceKey {
		return nil, refused
	}
	now := s.now()
	ts, err := srp.ParseTimestamp(timestamp)
	if err != nil || ts.Before(now.Add(-timestampSkew)) || ts.After(now.Add(timestampSkew)) {
		return nil, refused
	}
	d, err := s.loadDevice(ctx, r.pool, r.user, sd.DeviceKey, false)
	if err != nil {
		return nil, err
	}
	var ss srp.ServerSession
	if err := ss.UnmarshalBinary(sd.Server); err != nil {
		return nil, err
	}
	key, err := ss.Key(sd.A)
	if err != nil || !srp.VerifyClaim(key, d.GroupKey, d.Key, secret, timestamp, signature) {
		return nil, refused
	}
	return s.signedIn(ctx, r.pool, r.client, r.user, d.Key)
}

// signedIn issues tokens; the access token names the device the sign-in
// came from (device_key). In a pool that tracks devices a sign-in from no
// known device gets a new one, handed out as NewDeviceMetadata.
func (s *Service) signedIn(ctx context.Context, p *pool, c *client, u store.User, deviceKey string) (*authResult, error) {
	ev := newAuthEvent(s.now())
	var meta *cip.NewDeviceMetadataType
	switch {
	case deviceKey != "":
		if d, err := s.loadDevice(ctx, p, u, deviceKey, false); err == nil {
			d.LastAuthAt = ev.authTime
			if err := s.saveDevice(ctx, p, d); err != nil {
				return nil, err
			}
		}
	case p.tracksDevices():
		d, err := s.newDevice(ctx, p, u)
		if err != nil {
			return nil, err
		}
		deviceKey = d.Key
		meta = &cip.NewDeviceMetadataType{DeviceKey: awsapi.String(d.Key), DeviceGroupKey: awsapi.String(d.GroupKey)}
	}
	ev.deviceKey = deviceKey
	tokens, err := s.issue(ctx, p, c, u, ev, true)
	if err != nil {
		return nil, err
	}
	tokens.NewDeviceMetadata = meta
	return &authResult{tokens: tokens}, nil
}

// deviceType is a device as the device APIs show it.
func deviceType(d device) cip.DeviceType {
	status := "not_remembered"
	if d.Remembered {
		status = "remembered"
	}
	attrs := []cip.AttributeType{
		{Name: awsapi.String("device_status"), Value: awsapi.String("valid")},
		{Name: awsapi.String("device_remembered_status"), Value: awsapi.String(status)},
	}
	if d.Name != "" {
		attrs = append(attrs, cip.AttributeType{Name: awsapi.String("device_name"), Value: awsapi.String(d.Name)})
	}
	return cip.DeviceType{DeviceKey: awsapi.String(d.Key), DeviceAttributes: attrs, DeviceCreateDate: awsapi.Time(d.CreatedAt),
		DeviceLastModifiedDate: awsapi.Time(d.ModifiedAt), DeviceLastAuthenticatedDate: awsapi.Time(d.LastAuthAt)}
}

// ConfirmDevice stores the SRP verifier of a device handed out at sign-in.
func (s *Service) ConfirmDevice(ctx context.Context, in *cip.ConfirmDeviceInput) (*cip.ConfirmDeviceOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := s.loadDevice(ctx, p, u, *in.DeviceKey, true)
	if err != nil {
		return nil, err
	}
	cfg := in.DeviceSecretVerifierConfig
	if cfg == nil || cfg.PasswordVerifier == nil || cfg.Salt == nil {
		return nil, cip.NewInvalidParameterException("DeviceSecretVerifierConfig with PasswordVerifier and Salt is required.")
	}
	verifier, err1 := base64.StdEncoding.DecodeString(*cfg.PasswordVerifier)
	salt, err2 := base64.StdEncoding.DecodeString(*cfg.Salt)
	if err1 != nil || err2 != nil || len(salt) == 0 {
		return nil, cip.NewInvalidParameterException("Invalid device secret verifier config.")
	}
	if _, err := srp.NewServerSession(verifier); err != nil {
		return nil, cip.NewInvalidParameterException("Invalid device secret verifier config.")
	}
	prompt := p.tracksDevices() && awsapi.ToBool(p.cfg.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt)
	d.Confirmed, d.Remembered = true, !prompt
	d.Verifier, d.Salt = verifier, salt
	d.Name = awsapi.ToString(in.DeviceName)
	d.ModifiedAt = s.now()
	if err := s.saveDevice(ctx, p, d); err != nil {
		return nil, err
	}
	return &cip.ConfirmDeviceOutput{UserConfirmationNecessary: awsapi.Bool(prompt)}, nil
}

func (s *Service) getDeviceOf(ctx context.Context, p *pool, u store.User, key string) (*cip.DeviceType, error) {
	d, err := s.loadDevice(ctx, p, u, key, false)
	if err != nil {
		return nil, err
	}
	t := deviceType(d)
	return &t, nil
}

// GetDevice returns one of the access token's user's devices.
func (s *Service) GetDevice(ctx context.Context, in *cip.GetDeviceInput) (*cip.GetDeviceOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := s.getDeviceOf(ctx, p, u, *in.DeviceKey)
	if err != nil {
		return nil, err
	}
	return &cip.GetDeviceOutput{Device: d}, nil
}

// AdminGetDevice returns one of a user's devices.
func (s *Service) AdminGetDevice(ctx context.Context, in *cip.AdminGetDeviceInput) (*cip.AdminGetDeviceOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	d, err := s.getDeviceOf(ctx, p, u, *in.DeviceKey)
	if err != nil {
		return nil, err
	}
	return &cip.AdminGetDeviceOutput{Device: d}, nil
}

// listDevices pages through u's confirmed devices, ordered by key.
func (s *Service) listDevices(ctx context.Context, p *pool, u store.User, limit *int32, token *string) ([]cip.DeviceType, *string, error) {
	after, err := decodePageToken(token)
	if err != nil {
		return nil, nil, err
	}
	n := int(awsapi.ToInt32(limit))
	if n <= 0 || n > 60 {
		n = 60
	}
	prefix := deviceObjectKey(p.rec.ID, u.Sub, "")
	out := []cip.DeviceType{}
	last := ""
	for {
		objs, err := s.Store.ListObjects(ctx, deviceKind, prefix, store.Page{After: after, Limit: n + 1})
		if err != nil {
			return nil, nil, err
		}
		for _, o := range objs {
			after = o.Key
			var d device
			if err := json.Unmarshal(o.Value, &d); err != nil {
				return nil, nil, err
			}
			if !d.Confirmed {
				continue
			}
			if len(out) == n {
				return out, encodePageToken(last), nil
			}
			out = append(out, deviceType(d))
			last = o.Key
		}
		if len(objs) <= n {
			return out, nil, nil
		}
	}
}

// ListDevices lists the access token's user's devices.
func (s *Service) ListDevices(ctx context.Context, in *cip.ListDevicesInput) (*cip.ListDevicesOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	l, next, err := s.listDevices(ctx, p, u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &cip.ListDevicesOutput{Devices: l, PaginationToken: next}, nil
}

// AdminListDevices lists a user's devices.
func (s *Service) AdminListDevices(ctx context.Context, in *cip.AdminListDevicesInput) (*cip.AdminListDevicesOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	l, next, err := s.listDevices(ctx, p, u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &cip.AdminListDevicesOutput{Devices: l, PaginationToken: next}, nil
}

func (s *Service) forgetDevice(ctx context.Context, p *pool, u store.User, key string) error {
	if _, err := s.loadDevice(ctx, p, u, key, false); err != nil {
		return err
	}
	err := s.Store.DeleteObject(ctx, deviceKind, deviceObjectKey(p.rec.ID, u.Sub, key))
	if errors.Is(err, store.ErrNotFound) {
		return errNoDevice()
	}
	return err
}

// ForgetDevice removes one of the access token's user's devices.
func (s *Service) ForgetDevice(ctx context.Context, in *cip.ForgetDeviceInput) (*awsapi.Empty, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, s.forgetDevice(ctx, p, u, *in.DeviceKey)
}

// AdminForgetDevice removes one of a user's devices.
func (s *Service) AdminForgetDevice(ctx context.Context, in *cip.AdminForgetDeviceInput) (*awsapi.Empty, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, s.forgetDevice(ctx, p, u, *in.DeviceKey)
}

func (s *Service) setRemembered(ctx context.Context, p *pool, u store.User, key string, status *string) error {
	d, err := s.loadDevice(ctx, p, u, key, false)
	if err != nil {
		return err
	}
	d.Remembered = awsapi.ToString(status) == "remembered"
	d.ModifiedAt = s.now()
	return s.saveDevice(ctx, p, d)
}

// UpdateDeviceStatus sets whether one of the access token's user's devices
// is remembered.
func (s *Service) UpdateDeviceStatus(ctx context.Context, in *cip.UpdateDeviceStatusInput) (*cip.UpdateDeviceStatusOutput, error) {
	p, u, err := s.accessTokenUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.setRemembered(ctx, p, u, *in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &cip.UpdateDeviceStatusOutput{}, nil
}

// AdminUpdateDeviceStatus sets whether one of a user's devices is
// remembered.
func (s *Service) AdminUpdateDeviceStatus(ctx context.Context, in *cip.AdminUpdateDeviceStatusInput) (*cip.AdminUpdateDeviceStatusOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.setRemembered(ctx, p, u, *in.DeviceKey, in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &cip.AdminUpdateDeviceStatusOutput{}, nil
}

// forgetUserDevices removes a deleted user's devices.
func (s *Service) forgetUserDevices(ctx context.Context, poolID, sub string) error {
	_, err := s.Store.DeleteObjectsWithPrefix(ctx, deviceKind, deviceObjectKey(poolID, sub, ""))
	return err
}

// deletePoolMFAObjects removes what MFA and device tracking keep of a
// deleted pool (the store's DeleteUserPool removes its tables' rows only).
func (s *Service) deletePoolMFAObjects(ctx context.Context, poolID string) error {
	if err := s.Store.DeleteObject(ctx, poolMFAKind, poolID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err := s.Store.DeleteObjectsWithPrefix(ctx, deviceKind, poolID+"/")
	return err
}

// refreshDevice is the device_key of tokens refreshed with DEVICE_KEY: the
// key when it names a confirmed device of u, else none.
func (s *Service) refreshDevice(ctx context.Context, p *pool, u store.User, key string) (string, error) {
	d, known, err := s.presentedDevice(ctx, p, u, key)
	if err != nil || !known {
		return "", err
	}
	return d.Key, nil
}
