-- ninsho schema, version 1.
--
-- Times are INTEGER Unix milliseconds (UTC); the zero time is 0.
-- JSON documents owned by services (settings, extra, data) are BLOBs, kept
-- byte for byte. Text compares byte-wise (BINARY collation), which is the
-- order Page keys follow.

CREATE TABLE user_pools (
	id         TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	settings   BLOB,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- Client ids are unique across pools (InitiateAuth names only the client).
CREATE TABLE clients (
	id         TEXT    NOT NULL PRIMARY KEY,
	pool_id    TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	name       TEXT    NOT NULL,
	secret     TEXT    NOT NULL,
	settings   BLOB,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX clients_pool ON clients (pool_id, id);

-- users: the attribute map is kept whole in attributes (JSON object of
-- strings); the indexed attributes (store.IndexedAttributes) are copied into
-- columns of their own on every write, NULL when absent. Their indexes end
-- with user_key so that equality filters page in key order straight off the
-- index. The ListUsers queries name their index (INDEXED BY): left alone, the
-- planner walks the primary key to spare the sort, reading the whole pool to
-- find a rare prefix.
CREATE TABLE users (
	pool_id            TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	user_key           TEXT    NOT NULL,
	username           TEXT    NOT NULL,
	sub                TEXT    NOT NULL,
	status             TEXT    NOT NULL,
	enabled            INTEGER NOT NULL,
	attributes         TEXT    NOT NULL,
	password_salt      BLOB,
	password_verifier  BLOB,
	password_set_at    INTEGER NOT NULL,
	extra              BLOB,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	email              TEXT,
	phone_number       TEXT,
	name               TEXT,
	given_name         TEXT,
	family_name        TEXT,
	preferred_username TEXT,
	PRIMARY KEY (pool_id, user_key)
);
CREATE UNIQUE INDEX users_sub         ON users (pool_id, sub);
CREATE INDEX users_username           ON users (pool_id, username, user_key);
CREATE INDEX users_status             ON users (pool_id, status, user_key);
CREATE INDEX users_enabled            ON users (pool_id, enabled, user_key);
CREATE INDEX users_email              ON users (pool_id, email, user_key);
CREATE INDEX users_phone_number       ON users (pool_id, phone_number, user_key);
CREATE INDEX users_name               ON users (pool_id, name, user_key);
CREATE INDEX users_given_name         ON users (pool_id, given_name, user_key);
CREATE INDEX users_family_name        ON users (pool_id, family_name, user_key);
CREATE INDEX users_preferred_username ON users (pool_id, preferred_username, user_key);

CREATE TABLE refresh_tokens (
	hash       BLOB    NOT NULL PRIMARY KEY,
	pool_id    TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	client_id  TEXT    NOT NULL,
	username   TEXT    NOT NULL,
	origin_jti TEXT    NOT NULL UNIQUE,
	auth_time  INTEGER NOT NULL,
	issued_at  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_user    ON refresh_tokens (pool_id, username);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- signing_keys has no foreign key: scope is a pool id or another issuer's
-- name. DeleteUserPool deletes the pool's keys by scope.
CREATE TABLE signing_keys (
	kid         TEXT    NOT NULL PRIMARY KEY,
	scope       TEXT    NOT NULL,
	key_use     TEXT    NOT NULL,
	algorithm   TEXT    NOT NULL,
	private_key BLOB,
	created_at  INTEGER NOT NULL,
	retired_at  INTEGER NOT NULL
);
CREATE INDEX signing_keys_scope ON signing_keys (scope, created_at);

CREATE TABLE auth_sessions (
	hash       BLOB    NOT NULL PRIMARY KEY,
	pool_id    TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	client_id  TEXT    NOT NULL,
	username   TEXT    NOT NULL,
	challenge  TEXT    NOT NULL,
	data       BLOB,
	expires_at INTEGER NOT NULL
);
CREATE INDEX auth_sessions_pool    ON auth_sessions (pool_id);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
