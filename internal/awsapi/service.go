package awsapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ninsho/ninsho/internal/awserr"
)

// Service describes one AWS service for the protocol layer.
type Service struct {
	Name         string // endpointPrefix, e.g. "cognito-idp"
	SigningName  string // signingName or endpointPrefix
	Protocol     string // "json", "query" or "rest-json"
	TargetPrefix string // JSON 1.1 X-Amz-Target prefix, e.g. "AWSCognitoIdentityProviderService"
	APIVersion   string
	XMLNamespace string // query protocol
	// ValidationErrorCode is the error type for failed input validation:
	// "InvalidParameterException" for cognito-idp and cognito-identity (both
	// model it), "ValidationError" for sts.
	ValidationErrorCode string
	Operations          map[string]*Operation // by operation name
}

// Operation is one operation of a Service.
type Operation struct {
	Name string
	// Unsigned is true when the model says "authtype": "none" (InitiateAuth,
	// SignUp, GetId, AssumeRoleWithWebIdentity, ...): callers send no SigV4
	// signature and the protocol layer must not demand one.
	Unsigned bool
	// HTTP is the method, request URI and success status of operations of
	// REST protocol services (rest-json); zero for JSON 1.1 and query.
	HTTP HTTPBinding
	// NewInput returns a fresh zero input struct pointer to decode into.
	NewInput func() Input
	// Invoke calls the implementation; in is the value NewInput returned,
	// decoded and validated. A nil output with a nil error is replaced by a
	// zero output, so the protocol layer always has something to encode.
	Invoke func(ctx context.Context, in Input) (any, error)
}

// Input is implemented by every generated input struct.
type Input interface {
	// Validate returns nil or a *ValidationError listing every violated
	// model constraint.
	Validate() error
}

// Empty is the input or output of operations whose model has none.
type Empty struct{}

// Validate implements Input: an empty input has nothing to check.
func (*Empty) Validate() error { return nil }

// NotImplemented is what generated UnimplementedAPI methods return for the
// operations a service implementation does not override.
func NotImplemented(service, operation string) error {
	return &awserr.Error{
		Code:    "NotImplementedException",
		Message: fmt.Sprintf("ninsho does not implement %s operation %s yet", service, operation),
		Status:  http.StatusNotImplemented,
	}
}

// Call adapts a typed API method to Operation.Invoke. It lives here rather
// than in every generated closure so the generated code stays one line per
// operation. A wrong input type is a wiring bug (NewInput and Invoke come
// from the same generated code), so it is reported as an internal error
// instead of panicking inside a request.
func Call[I Input, O any](ctx context.Context, in Input, method func(context.Context, I) (*O, error)) (any, error) {
	typed, ok := in.(I)
	if !ok {
		return nil, fmt.Errorf("awsapi: input %T is not %T", in, typed)
	}
	out, err := method(ctx, typed)
	if err != nil {
		return nil, err
	}
	if out == nil {
		// A typed nil inside `any` would look non-nil to the protocol layer
		// and encode as "null"; AWS always answers with at least "{}".
		out = new(O)
	}
	return out, nil
}
