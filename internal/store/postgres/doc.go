// Package postgres is the PostgreSQL store.Store, for several ninsho
// instances sharing one database behind a load balancer. It passes the same
// conformance suite (internal/store/storetest) as the SQLite store.
//
// Open takes a pgx connection string (postgres://user:pass@host:port/db?...).
// Pool settings are the pgxpool URL parameters: pool_max_conns (default the
// greater of 4 and the number of CPUs), pool_min_conns,
// pool_max_conn_lifetime, pool_max_conn_idle_time, pool_health_check_period.
// connect_timeout (seconds) bounds a connection attempt; 10 s when unset.
// search_path selects a schema (the conformance tests give each test one).
//
// Schema: the migrations under migrations/ carry the same version numbers as
// the SQLite ones; Open applies the missing ones while holding a session
// advisory lock, so instances starting together migrate once, one after the
// other.
//
// Concurrency: every read-modify-write (Update*) reads its row with SELECT
// ... FOR UPDATE in a READ COMMITTED transaction, so a concurrent update waits
// and then reads the committed row: no update is lost. InObjectTx runs
// SERIALIZABLE, since its callers decide on what they list (an access-key
// quota, say), and is retried on serialization failures and deadlocks
// (SQLSTATE 40001, 40P01) with jittered backoff, a bounded number of times;
// after that the error is store.ErrConflict. Inside InObjectTx, ErrExists and
// ErrNotFound come from statements that do not fail (INSERT ... ON CONFLICT
// DO NOTHING, rows affected), so the transaction stays usable.
package postgres
