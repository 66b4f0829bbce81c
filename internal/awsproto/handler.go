package awsproto

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/ninsho/ninsho/internal/awsapi"
	"github.com/ninsho/ninsho/internal/awserr"
	"github.com/ninsho/ninsho/internal/principal"
)

// MaxBodyBytes bounds a request body. Cognito's largest inputs (schemas,
// templates) are far below it.
const MaxBodyBytes = 1 << 20

// Authenticator establishes who signed a request. Implementations verify
// SigV4 (internal/sigv4) against the known credentials; a nil principal and
// nil error never happen. Errors are *awserr.Error values worded for JSON
// services; the query protocol renames them (see queryErrorCodes).
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, body []byte, svc *awsapi.Service) (*principal.Principal, error)
}

// Authorizer decides whether p may call op of svc. It returns an
// *awserr.Error (AccessDeniedException) when not.
type Authorizer interface {
	Authorize(ctx context.Context, p *principal.Principal, svc *awsapi.Service, op *awsapi.Operation, in awsapi.Input) error
}

// Limiter enforces request-rate quotas (*quota.Limiter): it returns
// TooManyRequestsException for a call over a quota.
type Limiter interface {
	Allow(ctx context.Context, service, op string, in any) error
}

// Handler serves the AWS APIs of several services on one endpoint.
type Handler struct {
	Auth   Authenticator
	Authz  Authorizer // may be nil: everything authenticated is allowed
	Limit  Limiter    // may be nil: no quotas
	Logger *slog.Logger

	byTarget  map[string]*awsapi.Service // JSON 1.1: by X-Amz-Target prefix
	byVersion map[string]*awsapi.Service // query: by Version
	byName    map[string]*awsapi.Service // query: by signing name
	rest      *restRouter                // rest-json: by method and path
}

// NewHandler returns a handler for the given services. It panics if the
// request URIs of rest-json services cannot be routed (conflicting or
// unsupported templates): that is a generator bug, found by any test.
func NewHandler(auth Authenticator, authz Authorizer, logger *slog.Logger, services ...*awsapi.Service) *Handler {
	h := &Handler{Auth: auth, Authz: authz, Logger: logger,
		byTarget: map[string]*awsapi.Service{}, byVersion: map[string]*awsapi.Service{}, byName: map[string]*awsapi.Service{}}
	for _, s := range services {
		switch s.Protocol {
		case "json":
			h.byTarget[s.TargetPrefix] = s
		case "query":
			h.byVersion[s.APIVersion] = s
			h.byName[s.SigningName] = s
		case "rest-json":
			if h.rest == nil {
				h.rest = newRESTRouter()
			}
			if err := h.rest.add(s); err != nil {
				panic(err)
			}
		}
	}
	return h
}

// IsAWSRequest reports whether r looks like an AWS API call that this
// handler should answer (a JSON target header or a query Action).
func IsAWSRequest(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return true
	}
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-amz-json-") || strings.HasPrefix(ct, "application/x-www-form-urlencoded") ||
		r.URL.Query().Get("Action") != ""
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", reqID)
	ctx := principal.WithRequestInfo(r.Context(), principal.RequestInfo{ID: reqID, SourceIP: sourceIP(r), Method: r.Method, Path: r.URL.EscapedPath()})

	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		h.writeJSONError(ctx, w, awserr.New("SerializationException", "Could not read the request body."))
		return
	}
	if len(body) > MaxBodyBytes {
		h.writeJSONError(ctx, w, awserr.New("SerializationException", "Request body is too large.").WithStatus(http.StatusRequestEntityTooLarge))
		return
	}

	if target := r.Header.Get("X-Amz-Target"); target != "" {
		h.serveJSON(ctx, w, r, target, body)
		return
	}
	if h.ownsREST(r) {
		h.serveREST(ctx, w, r, body)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-") {
		h.writeJSONError(ctx, w, awserr.New("UnknownOperationException", "The request has no X-Amz-Target header naming the operation."))
		return
	}
	h.serveQuery(ctx, w, r, body)
}

// call runs the protocol-independent part: authentication, authorization,
// validation and the operation itself.
func (h *Handler) call(ctx context.Context, r *http.Request, body []byte, svc *awsapi.Service, op *awsapi.Operation, in awsapi.Input) (any, error) {
	p := &principal.Principal{Kind: principal.Anonymous}
	if !op.Unsigned {
		var err error
		p, err = h.Auth.Authenticate(ctx, r, body, svc)
		if err != nil {
			return nil, err
		}
	}
	ctx = principal.With(ctx, p)
	if err := in.Validate(); err != nil {
		var ve *awsapi.ValidationError
		if errors.As(err, &ve) {
			return nil, awserr.New(svc.ValidationErrorCode, ve.Error())
		}
		return nil, err
	}
	if h.Authz != nil && !op.Unsigned {
		if err := h.Authz.Authorize(ctx, p, svc, op, in); err != nil {
			return nil, err
		}
	}
	if h.Limit != nil {
		if err := h.Limit.Allow(ctx, svc.Name, op.Name, in); err != nil {
			return nil, err
		}
	}
	return op.Invoke(ctx, in)
}

// internalError logs an unexpected error and returns the generic answer.
func (h *Handler) internalError(ctx context.Context, err error) *awserr.Error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	h.Logger.ErrorContext(ctx, "internal error", "request_id", principal.RequestInfoFrom(ctx).ID, "err", err)
	return awserr.Internal()
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
