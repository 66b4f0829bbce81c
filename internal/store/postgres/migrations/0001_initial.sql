-- ninsho schema, version 1 (PostgreSQL; the SQLite schema of the same version
-- is internal/store/sqlite/migrations/0001_initial.sql).
--
-- Times are timestamptz, NULL for the zero time; the store writes them cut to
-- the millisecond (as SQLite keeps them) and reads them in UTC. JSON
-- documents owned by services (settings, extra, data) are bytea, kept byte
-- for byte. Every text column that is compared or ordered
-- is COLLATE "C": keys compare byte-wise whatever the database's collation,
-- which is the order Page keys follow and what makes a prefix an index range.

CREATE TABLE user_pools (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	name       text COLLATE "C" NOT NULL,
	settings   bytea,
	created_at timestamptz,
	updated_at timestamptz
);

-- Client ids are unique across pools (InitiateAuth names only the client).
CREATE TABLE clients (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	pool_id    text COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	name       text COLLATE "C" NOT NULL,
	secret     text COLLATE "C" NOT NULL,
	settings   bytea,
	created_at timestamptz,
	updated_at timestamptz
);
CREATE INDEX clients_pool ON clients (pool_id, id);

-- users: the attribute map is kept whole in attributes (JSON object of
-- strings, as text: jsonb would refuse \u0000); the indexed attributes
-- (store.IndexedAttributes) are copied into columns of their own on every
-- write, NULL when absent. Their indexes end with user_key so that equality
-- filters page in key order straight off the index.
CREATE TABLE users (
	pool_id            text COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	user_key           text COLLATE "C" NOT NULL,
	username           text COLLATE "C" NOT NULL,
	sub                text COLLATE "C" NOT NULL,
	status             text COLLATE "C" NOT NULL,
	enabled            boolean NOT NULL,
	attributes         text NOT NULL,
	password_salt      bytea,
	password_verifier  bytea,
	password_set_at    timestamptz,
	extra              bytea,
	created_at         timestamptz,
	updated_at         timestamptz,
	email              text COLLATE "C",
	phone_number       text COLLATE "C",
	name               text COLLATE "C",
	given_name         text COLLATE "C",
	family_name        text COLLATE "C",
	preferred_username text COLLATE "C",
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
	hash       bytea NOT NULL PRIMARY KEY,
	pool_id    text COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	client_id  text COLLATE "C" NOT NULL,
	username   text COLLATE "C" NOT NULL,
	origin_jti text COLLATE "C" NOT NULL UNIQUE,
	auth_time  timestamptz,
	issued_at  timestamptz,
	expires_at timestamptz,
	revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_user    ON refresh_tokens (pool_id, username);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- signing_keys has no foreign key: scope is a pool id or another issuer's
-- name. DeleteUserPool deletes the pool's keys by scope.
CREATE TABLE signing_keys (
	kid         text COLLATE "C" NOT NULL PRIMARY KEY,
	scope       text COLLATE "C" NOT NULL,
	key_use     text COLLATE "C" NOT NULL,
	algorithm   text COLLATE "C" NOT NULL,
	private_key bytea,
	created_at  timestamptz,
	retired_at  timestamptz
);
CREATE INDEX signing_keys_scope ON signing_keys (scope, created_at);

CREATE TABLE auth_sessions (
	hash       bytea NOT NULL PRIMARY KEY,
	pool_id    text COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
	client_id  text COLLATE "C" NOT NULL,
	username   text COLLATE "C" NOT NULL,
	challenge  text COLLATE "C" NOT NULL,
	data       bytea,
	expires_at timestamptz
);
CREATE INDEX auth_sessions_pool    ON auth_sessions (pool_id);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
