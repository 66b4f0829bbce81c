// Package config holds ninsho's typed configuration: defaults, then
// NINSHO_* environment variables, then command-line flags; Validate reports
// every problem at once before the server starts.
package config
