-- Failed sign-in throttling (DESIGN §4): one row per account email and per client address that recently failed
-- to sign in. Keys are keyed fingerprints (HMAC under a subkey of the key-encryption key), never the email or
-- address itself: people type passwords into the email field, and a copy of this table must not hold them.
-- Unknown and known emails are counted alike, so a lockout does not tell whether an account exists.
CREATE TABLE login_throttle (
    key           bytea       PRIMARY KEY CHECK (octet_length(key) = 32),
    failures      integer     NOT NULL CHECK (failures > 0),
    window_start  timestamptz NOT NULL,
    locked_until  timestamptz
);

REVOKE ALL ON login_throttle FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO ledger_runtime;
