package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error as the caller sees it.
type Error struct {
	// Code is the error type, e.g. "NotAuthorizedException". It becomes
	// `__type` in JSON protocols and <Code> in query protocols.
	Code string
	// Message is the human-readable text, worded as AWS words it.
	Message string
	// Status is the HTTP status code; 400 when zero.
	Status int
	// Server is true for faults of the service rather than of the caller
	// (<Type>Receiver</Type> in query protocols).
	Server bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is Status, defaulting to 400 for client faults and 500 otherwise.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if e.Server {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// New returns a client-fault error with status 400.
func New(code, message string) *Error {
	return &Error{Code: code, Message: message, Status: http.StatusBadRequest}
}

// Newf is New with a formatted message.
func Newf(code, format string, args ...any) *Error {
	return New(code, fmt.Sprintf(format, args...))
}

// WithStatus returns a copy of e with another HTTP status.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// As reports whether err is (or wraps) an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Internal is the generic answer for an unexpected failure; the cause is
// logged by the protocol layer, never sent to the caller.
func Internal() *Error {
	return &Error{Code: "InternalErrorException", Message: "An internal error occurred.", Status: http.StatusInternalServerError, Server: true}
}
