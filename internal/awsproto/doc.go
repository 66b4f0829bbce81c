// Package awsproto is the AWS protocol layer: it finds the service and
// operation of a request in the generated operation tables (X-Amz-Target for
// AWS JSON 1.1, Action for the query protocol, method and path for rest-json:
// see rest.go and restrouter.go), authenticates it, decodes and
// validates the input, calls the service, and encodes the answer or the
// error. It decides nothing about the domain.
//
// WriteError (errors.go) is the one place where an error reaches the wire:
// *awserr.Error values keep their code, message and status; anything else is
// logged with the request id and answered as a generic InternalErrorException.
package awsproto
