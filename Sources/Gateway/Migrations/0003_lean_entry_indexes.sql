-- Every append pays for every index on ledger_entries. The (chain_id, entry_hash) unique constraint guarded
-- nothing the primary key and the hash chain do not already guarantee (each entry's hash covers its seq and
-- its predecessor's hash), and nothing looks entries up by hash; drop it to make appends cheaper.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_chain_id_entry_hash_key;
