-- WebAuthn ceremony challenges (DESIGN §5): random, kept server-side rather than in the client or in one
-- process's memory (so any gateway can finish a ceremony another began), single-use, and short-lived. A challenge
-- is taken by deleting its row, so two requests presenting it cannot both succeed.
CREATE TABLE webauthn_challenges (
    challenge   bytea       PRIMARY KEY CHECK (octet_length(challenge) = 32),
    ceremony    text        NOT NULL CHECK (ceremony IN ('registration', 'authentication', 'step_up')),
    -- The account a registration or step-up is for; none for a discoverable sign-in.
    user_id     uuid        REFERENCES users (id) ON DELETE CASCADE,
    -- The session that asked, for registration and step-up.
    session_id  uuid,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);

REVOKE ALL ON webauthn_challenges FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON webauthn_challenges TO ledger_runtime;
