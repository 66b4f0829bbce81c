// Package sqlite is ninsho's SQLite backend of store.Store, on the pure-Go
// driver modernc.org/sqlite.
//
// The database is one file, <dir>/ninsho.db, in WAL mode. SQLite admits one
// writer at a time, so the Store keeps two connection pools on the file: a
// write pool of exactly one connection, whose transactions begin IMMEDIATE
// (they take the write lock up front, so a read-modify-write never has to
// upgrade a read lock and can never deadlock), and a read-only pool of several
// connections, which under WAL read the last committed state without ever
// waiting for the writer. Writers in this process queue in database/sql for
// the one connection; busy_timeout covers other processes.
//
// The schema lives in embedded, numbered migrations (migrations/NNNN_*.sql),
// applied forward only by the dialect-independent runner in
// internal/store/sqlstore and recorded in schema_migrations.
//
// Objects (store.ObjectStore) live in one table, objects, keyed by (kind,
// key) with BINARY collation; prefixes are primary-key range scans. Each
// method of the Store runs on its own (reads on the read pool); InObjectTx
// and UpdateObject hold the write connection for their whole transaction, so
// fn must not call the Store itself: a write would wait for that connection
// forever, and a read would not see the transaction's writes.
//
// Driver errors are mapped to the store sentinels: unique and primary-key
// violations to store.ErrExists, a missing parent row (foreign key) and
// sql.ErrNoRows to store.ErrNotFound, SQLITE_BUSY (another process held the
// lock past busy_timeout) to store.ErrConflict. The driver error stays
// wrapped too.
package sqlite
