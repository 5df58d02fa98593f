-- The ledger (DESIGN §3): append-only entries, the chain head, checkpoints and the public signing keys.
-- Runs as the owner role. The gateway runs as a member of ledger_runtime, which may only INSERT and SELECT
-- ledger rows; triggers refuse UPDATE, DELETE and TRUNCATE for every role, the owner included.

CREATE FUNCTION ledger_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- One row per chain; the writer locks it (SELECT ... FOR UPDATE) so that any number of gateway processes
-- append to one chain without gaps or forks.
CREATE TABLE ledger_heads (
    chain_id    text        PRIMARY KEY CHECK (chain_id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    seq         bigint      NOT NULL CHECK (seq >= 0),
    head_hash   bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    chain_id     text        NOT NULL REFERENCES ledger_heads (chain_id),
    seq          bigint      NOT NULL CHECK (seq >= 1),
    entry_hash   bytea       NOT NULL CHECK (octet_length(entry_hash) = 32),
    prev_hash    bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    -- The RFC 8785 canonical JSON of the entry: exactly the bytes that were hashed.
    canonical    bytea       NOT NULL,
    key_id       text        NOT NULL,
    signature    bytea       NOT NULL CHECK (octet_length(signature) = 64),
    -- Copies of fields inside `canonical`, for queries and reports; the verifier checks they agree.
    recorded_at  timestamptz NOT NULL,
    action       text        NOT NULL,
    actor_id     text,
    subject_id   text,
    PRIMARY KEY (chain_id, seq),
    UNIQUE (chain_id, entry_hash)
);
CREATE INDEX ledger_entries_subject ON ledger_entries (subject_id, recorded_at) WHERE subject_id IS NOT NULL;
CREATE INDEX ledger_entries_actor ON ledger_entries (actor_id, recorded_at) WHERE actor_id IS NOT NULL;
CREATE INDEX ledger_entries_recorded ON ledger_entries (recorded_at);

-- Signed checkpoints (C2SP signed-note text) over the Merkle tree of the entries.
CREATE TABLE ledger_checkpoints (
    chain_id    text        NOT NULL REFERENCES ledger_heads (chain_id),
    tree_size   bigint      NOT NULL CHECK (tree_size >= 1),
    root_hash   bytea       NOT NULL CHECK (octet_length(root_hash) = 32),
    head_hash   bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    note        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, tree_size)
);

-- Public halves of the signing keys the ledger has used. The verifier never trusts this table alone: it starts
-- from the key set it is given and follows rotation entries in the chain.
CREATE TABLE ledger_keys (
    key_id      text        PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{64}$'),
    algorithm   text        NOT NULL CHECK (algorithm = 'Ed25519'),
    public_key  bytea       NOT NULL CHECK (octet_length(public_key) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_keys_append_only BEFORE UPDATE OR DELETE ON ledger_keys
    FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_keys_no_truncate BEFORE TRUNCATE ON ledger_keys
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
-- The head row moves forward but never disappears.
CREATE TRIGGER ledger_heads_no_delete BEFORE DELETE ON ledger_heads
    FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
CREATE TRIGGER ledger_heads_no_truncate BEFORE TRUNCATE ON ledger_heads
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();

REVOKE ALL ON ledger_entries, ledger_heads, ledger_checkpoints, ledger_keys FROM PUBLIC;
GRANT SELECT, INSERT ON ledger_entries, ledger_checkpoints, ledger_keys TO ledger_runtime;
GRANT SELECT, INSERT, UPDATE ON ledger_heads TO ledger_runtime;
GRANT SELECT ON schema_migrations TO ledger_runtime;
