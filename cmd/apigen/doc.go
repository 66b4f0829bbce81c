// Command apigen generates the Go API layer of ninsho from pinned AWS service
// models.
//
// It reads only api/models/*.json (botocore's service-2.json with the
// documentation stripped) and writes, for each model, a package
// internal/awsapi/<model file name without dashes>/zz_generated.go (the file
// name is botocore's service name: cognito-idp -> cognitoidp, apigatewayv2)
// containing the shape structs, input validation, error constructors, the API
// interface, UnimplementedAPI and NewService.
//
// For REST protocol models (rest-json: apigatewayv2) it also generates each
// operation's HTTP binding (awsapi.HTTPBinding: method, request URI template,
// success status) and, on operation inputs and outputs whose members the
// model binds outside the JSON body ("location": uri, querystring, header,
// headers, statusCode; or the structure's "payload" member), BindHTTP and
// EncodeHTTP methods (awsapi.HTTPInput, awsapi.HTTPOutput). Such members get
// `json:"-"` tags; body members use their locationName as JSON key
// ("apiId"). Timestamps whose shape says "timestampFormat": "iso8601" are
// awsapi.ISO8601Timestamp (a JSON string) rather than awsapi.Timestamp
// (epoch seconds). The output depends only on the model files,
// so running it twice gives identical bytes (a test checks the checked-in
// files against a fresh generation).
//
// Usage:
//
//	go run ./cmd/apigen -models api/models -out internal/awsapi
//	go run ./cmd/apigen -strip -botocore <botocore/data> -models api/models
//
// The second form refreshes the pinned models from an installed botocore: it
// drops documentation, documentationUrl and examples, sorts keys (except
// structure members, whose order is the order AWS reports violations in) and
// indents by one space so model updates diff well.
package main
