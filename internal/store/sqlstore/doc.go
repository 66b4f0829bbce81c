// Package sqlstore holds the parts of ninsho's SQL backends that do not depend
// on the SQL dialect: the forward-only migration runner and small helpers for
// keys and ranges. Dialect differences (placeholders, locking) are passed in
// as a Dialect value, so the SQLite backend (internal/store/sqlite) and a
// later PostgreSQL backend share this code.
package sqlstore
