-- Case-insensitive lookups of email and preferred_username
-- (FindUsersByAttributeFold): lower() folds ASCII letters only, as
-- store.FoldASCII does.
CREATE INDEX users_email_fold              ON users (pool_id, lower(email), user_key);
CREATE INDEX users_preferred_username_fold ON users (pool_id, lower(preferred_username), user_key);
