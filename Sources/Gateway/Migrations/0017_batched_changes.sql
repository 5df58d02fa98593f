-- Changes batched with their neighbours (DESIGN §3, §8): a patient update or a task creation is one row of a
-- statement the writer runs for a whole batch, inside the statement that appends the batch's entries.

-- Raises 'LP001' unless `ok` holds, naming `conflict_key` (the row, as the writer names it) in the error's DETAIL. A
-- batched change is written as of the version its request read; when that row has moved on, the statement must
-- fail rather than skip the row while its entry is recorded, and the key tells the writer which append to leave out
-- before it tries the batch again. Costed high so that PostgreSQL tests a join's cheap conditions first and calls
-- this only for the rows really being changed.
CREATE FUNCTION projection_expect(ok boolean, conflict_key text) RETURNS boolean
LANGUAGE plpgsql COST 10000 AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'a batched change no longer applies' USING ERRCODE = 'LP001', DETAIL = conflict_key;
    END IF;
    RETURN true;
END;
$$;

-- The ids of the tags named, making those that are new: the tag insert and the lookup in one call, so that a batch
-- of tasks can be linked to their tags by a single statement.
CREATE FUNCTION tag_ids(names text[]) RETURNS TABLE (tag_name text, tag_id bigint)
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tags (name) SELECT DISTINCT unnest(names) ON CONFLICT (name) DO NOTHING;
    RETURN QUERY SELECT t.name, t.id FROM tags t WHERE t.name = ANY(names);
END;
$$;

REVOKE ALL ON FUNCTION projection_expect(boolean, text), tag_ids(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_expect(boolean, text), tag_ids(text[]) TO ledger_runtime;
