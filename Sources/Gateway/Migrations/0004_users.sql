-- Accounts (DESIGN §4): users and their one-time enrolment invites. Invite tokens are stored as SHA-256 hashes
-- only; the token itself is shown once, to whoever created the invite.
CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    email          text        NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    roles          text[]      NOT NULL,
    status         text        NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    ledger_seq     bigint      NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE enrolment_invites (
    token_hash  bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id     uuid        NOT NULL REFERENCES users (id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    ledger_seq  bigint      NOT NULL
);
CREATE INDEX enrolment_invites_user ON enrolment_invites (user_id);

REVOKE ALL ON users, enrolment_invites FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON users, enrolment_invites TO ledger_runtime;
