-- The access policy (DESIGN §6). Each policy set the gateway starts with is recorded once, as a `policy.activate`
-- ledger entry carrying the files' text; this table lists the activations, so that a restart with the set already
-- in force does not record it again, while going back to an earlier set does.
CREATE TABLE policy_activations (
    ledger_seq    bigint      PRIMARY KEY,
    policy_hash   text        NOT NULL CHECK (policy_hash ~ '^[0-9a-f]{64}$'),
    activated_at  timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON policy_activations FROM PUBLIC;
GRANT SELECT, INSERT ON policy_activations TO ledger_runtime;

-- When the session last completed a passkey step-up; the `step_up` policy condition reads it.
ALTER TABLE sessions ADD COLUMN stepped_up_at timestamptz;
