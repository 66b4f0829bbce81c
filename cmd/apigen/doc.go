// Command apigen generates the Go API layer of ninsho from pinned AWS service
// models.
//
// It reads only api/models/*.json (botocore's service-2.json with the
// documentation stripped) and writes, for each model, a package
// internal/awsapi/<endpointPrefix without dashes>/zz_generated.go containing
// the shape structs, input validation, error constructors, the API interface,
// UnimplementedAPI and NewService. The output depends only on the model files,
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
