import Ledger
import NIOCore
import PostgresNIO

/// The statement that commits a batch chained on a head the writer expects, without first reading the head row:
/// it advances the head from the head the batch was chained on (`ledger_advance_head`, which takes the head row
/// lock and raises if the head has moved or a sealed subject has been shredded), inserts the entries, runs each
/// projector once and stores a due checkpoint. Being one statement, it does all of it or none of it.
enum BatchStatement {
    /// SQLSTATEs raised by `ledger_advance_head`.
    static let headMoved = "LH001"
    static let subjectShredded = "LH002"
    /// SQLSTATE raised by `projection_expect` when a batched projection's row no longer meets its precondition.
    static let preconditionFailed = "LP001"

    static func make(
        chain: String, from base: ChainHead, to head: ChainHead, entries: [SignedEntry], sealedSubjects: [String],
        projections: ProjectorRuns = ProjectorRuns(), checkpoint: (rootHash: [UInt8], note: String)? = nil
    ) throws -> PostgresQuery {
        var sql = StatementBuilder()
        let chainID = try sql.bind(chain)
        sql.append("WITH ")
        try appendEntries(entries, chainID: chainID, into: &sql)
        for (index, projection) in projections.runs.enumerated() {
            sql.append(",\nprojection_\(index) AS (")
            try BatchedRow.write(projection.rows, contexts: projection.contexts, into: &sql)
            sql.append(")")
        }
        if let checkpoint {
            let values = [
                chainID, try sql.bind(head.seq), try sql.bind(ByteBuffer(bytes: checkpoint.rootHash)),
                try sql.bind(ByteBuffer(bytes: head.hash)), try sql.bind(checkpoint.note),
            ]
            sql.append("""
                ,
                checkpoint AS (
                    INSERT INTO ledger_checkpoints (chain_id, tree_size, root_hash, head_hash, note)
                    VALUES (\(values.joined(separator: ", "))) ON CONFLICT (chain_id, tree_size) DO NOTHING)
                """)
        }
        let arguments = [
            chainID, try sql.bind(base.seq), try sql.bind(ByteBuffer(bytes: base.hash)), try sql.bind(head.seq),
            try sql.bind(ByteBuffer(bytes: head.hash)), try sql.bind(ByteBuffer(bytes: head.tree.serialized)),
            try sql.bind(sealedSubjects) + "::text[]",
        ]
        // The primary query runs first, so the head lock is taken (and the head checked) before the entries
        // and projections in the WITH clauses are written.
        sql.append("\nSELECT ledger_advance_head(\(arguments.joined(separator: ", ")))")
        return sql.query
    }

    private static func appendEntries(_ entries: [SignedEntry], chainID: String, into sql: inout StatementBuilder) throws {
        // One pass over the entries, each column filled as it goes: a pass per column copied every entry ten times.
        var seqs: [Int64] = [], hashes: [[UInt8]] = [], prevs: [[UInt8]] = [], canonicals: [[UInt8]] = []
        var keyIDs: [String] = [], signatures: [[UInt8]] = [], times: [Int64] = [], actions: [String] = []
        var actors: [String] = [], subjects: [String] = []
        for signed in entries {
            seqs.append(signed.entry.seq)
            hashes.append(signed.entryHash)
            prevs.append(signed.entry.prev)
            canonicals.append(signed.canonicalBytes)
            keyIDs.append(signed.keyID)
            signatures.append(signed.signature)
            times.append(signed.entry.recordedAt.microsecondsSinceEpoch)
            actions.append(signed.entry.action)
            actors.append(signed.entry.actor?.userID ?? "")
            subjects.append(signed.entry.subject ?? "")
        }
        let columns = [
            try sql.bind(seqs) + "::bigint[]", try sql.bind(ByteaArray(elements: hashes)) + "::bytea[]",
            try sql.bind(ByteaArray(elements: prevs)) + "::bytea[]", try sql.bind(ByteaArray(elements: canonicals)) + "::bytea[]",
            try sql.bind(keyIDs) + "::text[]", try sql.bind(ByteaArray(elements: signatures)) + "::bytea[]",
            // As whole microseconds, turned into a timestamp by PostgreSQL: a client-side date loses the last digit
            // now and then, and the column must equal the entry's recordedAt exactly (the verifier checks it).
            try sql.bind(times) + "::bigint[]",
            try sql.bind(actions) + "::text[]", try sql.bind(actors) + "::text[]", try sql.bind(subjects) + "::text[]",
        ]
        sql.append("""
            entries AS (
                INSERT INTO ledger_entries
                    (chain_id, seq, entry_hash, prev_hash, canonical, key_id, signature, recorded_at, action, actor_id, subject_id)
                SELECT \(chainID), seq, entry_hash, prev_hash, canonical, key_id, signature, micros_timestamp(recorded_at), action,
                       NULLIF(actor_id, ''), NULLIF(subject_id, '')
                FROM unnest(\(columns.joined(separator: ", ")))
                    AS e(seq, entry_hash, prev_hash, canonical, key_id, signature, recorded_at, action, actor_id, subject_id))
            """)
    }
}
