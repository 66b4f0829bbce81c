-- ninsho schema, version 2: objects (PostgreSQL; see
-- internal/store/sqlite/migrations/0002_objects.sql).
--
-- objects holds the keyed JSON documents of store.ObjectStore (IAM, STS and
-- identity-pool aggregates), addressed by (kind, key). Keys compare byte-wise
-- (COLLATE "C"): ListObjects and DeleteObjectsWithPrefix select a prefix as
-- the primary-key range "key >= prefix AND key < PrefixEnd(prefix)".
--
-- expires_at is NULL for never. Most objects never expire (roles, policies),
-- so the janitor's index leaves them out.

CREATE TABLE objects (
	kind       text COLLATE "C" NOT NULL,
	key        text COLLATE "C" NOT NULL,
	value      bytea,
	expires_at timestamptz,
	created_at timestamptz,
	updated_at timestamptz,
	PRIMARY KEY (kind, key)
);
CREATE INDEX objects_expires ON objects (expires_at) WHERE expires_at IS NOT NULL;
