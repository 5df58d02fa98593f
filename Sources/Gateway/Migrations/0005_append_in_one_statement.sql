-- Appends in one statement (DESIGN §3, §8): the writer chains and signs a batch against the head it expects,
-- then sends a single statement that advances the head, inserts the entries and applies the projections. If the
-- head has moved (another writer got there first) the function below raises, the whole statement rolls back,
-- and the writer re-chains the batch under the head row lock.

-- Every entry's chain is the head row the same statement advances, so the per-row foreign-key check (a trigger
-- and a row lock per inserted entry) proves nothing the head update has not already proved.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_chain_id_fkey;

-- Moves the head from (from_seq, from_hash) to (to_seq, to_hash), taking the head row lock. Raises
-- 'LH001' when the head is elsewhere, and 'LH002' when any of `sealed_subjects` has been shredded: checked after
-- the lock is taken, so a shred committed by any writer is seen before more PHI is recorded for the subject.
CREATE FUNCTION ledger_advance_head(
    chain text, from_seq bigint, from_hash bytea, to_seq bigint, to_hash bytea, to_frontier bytea, sealed_subjects text[]
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    current_seq bigint;
    current_hash bytea;
BEGIN
    -- Lock first, compare after: FOR UPDATE waits for a writer holding the row and then reads its committed
    -- version, whereas an UPDATE ... WHERE seq = from_seq would skip the row without waiting.
    SELECT seq, head_hash INTO current_seq, current_hash FROM ledger_heads WHERE chain_id = chain FOR UPDATE;
    IF current_seq IS DISTINCT FROM from_seq OR current_hash IS DISTINCT FROM from_hash THEN
        RAISE EXCEPTION 'the head of chain % is not at %', chain, from_seq USING ERRCODE = 'LH001';
    END IF;
    IF EXISTS (SELECT 1 FROM subject_keys
               WHERE chain_id = chain AND subject_id = ANY(sealed_subjects) AND wrapped IS NULL) THEN
        RAISE EXCEPTION 'a subject in this batch has been shredded' USING ERRCODE = 'LH002';
    END IF;
    UPDATE ledger_heads SET seq = to_seq, head_hash = to_hash, frontier = to_frontier, updated_at = now()
    WHERE chain_id = chain;
    RETURN to_seq;
END;
$$;

REVOKE ALL ON FUNCTION ledger_advance_head(text, bigint, bytea, bigint, bytea, bytea, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ledger_advance_head(text, bigint, bytea, bigint, bytea, bytea, text[]) TO ledger_runtime;
