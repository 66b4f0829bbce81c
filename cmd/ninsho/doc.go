// Command ninsho is a self-hosted identity service that speaks Amazon
// Cognito's APIs (with STS, IAM and an API Gateway). `ninsho serve` runs it;
// see README.md for its flags and environment variables. `ninsho migrate`
// copies an SQLite data directory into PostgreSQL (internal/app/migrate.go).
package main
