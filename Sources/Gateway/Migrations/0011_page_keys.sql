-- Page cursors carry timestamps as whole microseconds since 1970. Comparing them as integers turned into exact
-- timestamps here keeps a page's edge exact: a client-side date type may round to a neighbouring microsecond and
-- skip or repeat the rows that share a time.
CREATE FUNCTION micros_timestamp(micros bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_timestamp(0) + micros * interval '1 microsecond'
$$;

REVOKE ALL ON FUNCTION micros_timestamp(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION micros_timestamp(bigint) TO ledger_runtime;
