-- micros_timestamp (0011) turns whole microseconds since 1970 into a timestamptz, once for every ledger entry and for
-- most projection rows a batch writes. PostgreSQL ran it as a function call per row, with an executor of its own:
-- `timestamptz + interval` is only STABLE (adding days or months depends on TimeZone), so the IMMUTABLE function
-- could not be inlined. The same value from IMMUTABLE parts (timestamp arithmetic, then AT TIME ZONE 'UTC') is
-- inlined into the statements that call it.
CREATE OR REPLACE FUNCTION micros_timestamp(micros bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (timestamp '1970-01-01 00:00:00' + micros * interval '1 microsecond') AT TIME ZONE 'UTC'
$$;
