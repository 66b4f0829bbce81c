// Package awsapi is the small hand-written runtime shared by the packages
// generated from AWS service models (internal/awsapi/cognitoidp,
// internal/awsapi/cognitoidentity, internal/awsapi/sts, internal/awsapi/iam,
// internal/awsapi/apigatewayv2). rest.go holds what REST protocol services
// add: HTTPBinding, and the HTTPRequest/HTTPResponse that generated
// BindHTTP/EncodeHTTP methods use.
//
// The generated packages describe each service as data (an *awsapi.Service):
// its protocol, its operations, and for each operation how to allocate,
// validate and dispatch the input. The protocol layer decodes requests into
// the value Operation.NewInput returns, calls Input.Validate, and then
// Operation.Invoke; it never needs to know the concrete Go types. Keeping this
// runtime small and free of service knowledge lets the generated code be
// regenerated from the pinned models (api/models) at any time.
//
// Regenerate with `go generate ./internal/awsapi` (or `go generate ./...`).
package awsapi

//go:generate go run ../../cmd/apigen -models ../../api/models -out .
