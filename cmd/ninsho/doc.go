// Command ninsho is a self-hosted identity service that speaks Amazon
// Cognito's APIs (with STS, IAM and an API Gateway). `ninsho serve` runs it;
// see README.md for its flags and environment variables.
package main
