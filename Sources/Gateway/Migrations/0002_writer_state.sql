-- State the ledger writer keeps beside the chain head, and per-subject data keys for sealed PHI (DESIGN §3).

-- The Merkle tree's right edge (CompactRange: one 32-byte hash per set bit of seq), so that the writer can
-- extend the tree and sign checkpoints without re-reading the chain.
ALTER TABLE ledger_heads ADD COLUMN frontier bytea NOT NULL DEFAULT ''::bytea;
ALTER TABLE ledger_heads ADD CONSTRAINT ledger_heads_frontier_shape CHECK (octet_length(frontier) % 32 = 0);

-- One data key per subject (patient) and chain, stored wrapped by the key-encryption key. Shredding sets
-- `wrapped` to NULL for good: the payloads sealed under the key can no longer be opened, while the chain,
-- which hashes the ciphertext, still verifies.
CREATE TABLE subject_keys (
    chain_id     text        NOT NULL REFERENCES ledger_heads (chain_id),
    subject_id   text        NOT NULL,
    key_id       text        NOT NULL CHECK (key_id ~ '^[0-9a-f]{32}$'),
    nonce        bytea       CHECK (octet_length(nonce) = 24),
    wrapped      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    shredded_at  timestamptz,
    PRIMARY KEY (chain_id, subject_id),
    CHECK ((wrapped IS NULL) = (shredded_at IS NOT NULL)),
    CHECK ((wrapped IS NULL) = (nonce IS NULL))
);

-- A shredded key stays shredded, and a live key is never swapped for another.
CREATE FUNCTION subject_keys_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'subject keys are shredded, never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.wrapped IS NULL AND NEW.wrapped IS NOT NULL THEN
        RAISE EXCEPTION 'a shredded subject key cannot be restored' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.wrapped IS NOT NULL AND (NEW.wrapped <> OLD.wrapped OR NEW.key_id <> OLD.key_id) THEN
        RAISE EXCEPTION 'a subject key cannot be replaced' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER subject_keys_guard BEFORE UPDATE OR DELETE ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION subject_keys_guard();

REVOKE ALL ON subject_keys FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON subject_keys TO ledger_runtime;
