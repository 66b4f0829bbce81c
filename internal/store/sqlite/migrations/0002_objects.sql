-- ninsho schema, version 2: objects.
--
-- objects holds the keyed JSON documents of store.ObjectStore (IAM, STS and
-- identity-pool aggregates), addressed by (kind, key). Keys compare byte-wise
-- (BINARY collation, stated here so that no later change of the column's
-- collation goes unnoticed): ListObjects and DeleteObjectsWithPrefix select a
-- prefix as the primary-key range "key >= prefix AND key < PrefixEnd(prefix)".
--
-- expires_at is Unix milliseconds, 0 for never. Most objects never expire
-- (roles, policies), so the janitor's index leaves them out: its query must
-- say "expires_at <> 0" for the planner to use it.

CREATE TABLE objects (
	kind       TEXT    NOT NULL COLLATE BINARY,
	key        TEXT    NOT NULL COLLATE BINARY,
	value      BLOB,
	expires_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX objects_expires ON objects (expires_at) WHERE expires_at <> 0;
