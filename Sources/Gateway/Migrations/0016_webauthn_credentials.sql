-- Passkeys (DESIGN §5): the WebAuthn credentials people register to sign in and step up. Only public material is
-- stored: the credential's public key as the authenticator encoded it (a COSE_Key), which verifies its
-- assertions, and the signature counter, which exposes a cloned authenticator when it goes backwards.
CREATE TABLE webauthn_credentials (
    -- The credential id the authenticator chose (at most 1023 bytes, WebAuthn §5.1).
    id                  bytea       PRIMARY KEY CHECK (octet_length(id) BETWEEN 16 AND 1023),
    user_id             uuid        NOT NULL REFERENCES users (id),
    name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    public_key          bytea       NOT NULL CHECK (octet_length(public_key) BETWEEN 1 AND 2048),
    algorithm           integer     NOT NULL,
    sign_count          bigint      NOT NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
    -- BE is fixed for a credential's life; BS and UV are as of the last use.
    backup_eligible     boolean     NOT NULL,
    backed_up           boolean     NOT NULL,
    user_verified       boolean     NOT NULL,
    transports          text[]      NOT NULL,
    aaguid              uuid        NOT NULL,
    attestation_format  text        NOT NULL,
    created_at          timestamptz NOT NULL,
    last_used_at        timestamptz,
    ledger_seq          bigint      NOT NULL
);
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials (user_id, created_at);

REVOKE ALL ON webauthn_credentials FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON webauthn_credentials TO ledger_runtime;
