-- Sessions (DESIGN §4): one row per sign-in. Every request with an access token checks its session here, so
-- logout, revocation and the inactivity and absolute timeouts take effect at once, not when the token expires.
-- Refresh tokens are stored as SHA-256 hashes only; a used one stays, so that presenting it again is recognised
-- as reuse and ends the whole session.
CREATE TABLE sessions (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id),
    auth_time       timestamptz NOT NULL,
    amr             text[]      NOT NULL,
    client_address  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    ledger_seq      bigint      NOT NULL
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    token_hash  bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    session_id  uuid        NOT NULL REFERENCES sessions (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

REVOKE ALL ON sessions, refresh_tokens FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON sessions, refresh_tokens TO ledger_runtime;
