package principal

import "context"

// Kind tells what sort of caller a Principal is.
type Kind int

const (
	// Anonymous callers made an unsigned request (InitiateAuth, SignUp, ...).
	Anonymous Kind = iota
	// Root is the account's root user: allowed everything.
	Root
	// User is an IAM user.
	User
	// AssumedRole is a role session (STS or identity-pool credentials).
	AssumedRole
)

// Principal is the caller of a request.
type Principal struct {
	Kind        Kind
	Account     string // 12 digits
	ARN         string // arn:aws:iam::<account>:root, ...:user/<name>, arn:aws:sts::<account>:assumed-role/<role>/<session>
	UserID      string // what GetCallerIdentity prints as UserId
	AccessKeyID string // the key that signed the request; empty when anonymous

	// UserName is the IAM user's name (Kind User, or the user behind a
	// GetSessionToken session).
	UserName string
	// RoleName, RoleARN and SessionName describe an assumed role (Kind
	// AssumedRole): ARN is then
	// arn:aws:sts::<account>:assumed-role/<RoleName>/<SessionName> and UserID
	// is "<role id>:<SessionName>".
	RoleName    string
	RoleARN     string
	SessionName string
	// SessionPolicy is the inline session policy of an assumed role, if
	// any: the session may do only what both it and the role's policies
	// allow.
	SessionPolicy string
	// Tags are the session's principal tags (aws:PrincipalTag/<key>).
	Tags map[string]string
	// Context holds extra condition keys the session carries (for
	// identity-pool sessions: cognito-identity.amazonaws.com:aud, :amr, :sub).
	Context map[string][]string
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx, or an anonymous one.
func From(ctx context.Context) *Principal {
	if p, ok := ctx.Value(ctxKey{}).(*Principal); ok && p != nil {
		return p
	}
	return &Principal{Kind: Anonymous}
}

// RequestInfo is what services may know of the HTTP request that carries an
// operation without seeing the request itself.
type RequestInfo struct {
	ID       string // x-amzn-RequestId
	SourceIP string
	// Method and Path are the HTTP method and escaped path: REST services
	// (API Gateway) name their IAM actions and resources after them.
	Method, Path string
}

type infoKey struct{}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// RequestInfoFrom returns the request info in ctx (zero when absent).
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(infoKey{}).(RequestInfo)
	return info
}
