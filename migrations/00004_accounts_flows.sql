-- +goose Up
-- Single-use tokens sent by e-mail (address verification, password reset).
-- Only the SHA-256 of a token is stored; a token is deleted when used.
CREATE TABLE account_tokens (
    hash       bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expires_idx ON account_tokens (expires_at);

-- OpenID Connect identities: a provider's subject belongs to one account.
-- Nothing else from the provider is kept.
CREATE TABLE user_identities (
    provider   text NOT NULL,
    subject    text NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Rate-limit counters shared by every app instance: one row per key and
-- fixed window; the limiter weighs the previous window (sliding estimate).
-- Keys are stored as SHA-256 hashes: no address or e-mail in clear.
CREATE TABLE rate_limits (
    key_hash     bytea NOT NULL,
    window_start timestamptz NOT NULL,
    hits         int NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (key_hash, window_start)
);
CREATE INDEX rate_limits_expires_idx ON rate_limits (expires_at);

