// Package awserr holds the one error type that services return: a value that
// the protocol layer (internal/awsproto) turns into AWS's wire shape
// (`__type` + `message` for JSON services, <ErrorResponse> for query services).
//
// Services never write HTTP; they return *Error values, usually made by the
// constructors generated from each service model (internal/awsapi/<svc>).
package awserr
