import Ledger
import Logging
import NIOCore
import PostgresNIO

/// The chain head row as the writer holds it during a batch: the last seq, its hash and the Merkle frontier.
struct ChainHead: Sendable {
    var seq: Int64
    var hash: [UInt8]
    var tree: CompactRange

    /// Locks and reads the head row; other writers of the chain wait here until this transaction ends.
    static func lock(chain: String, on connection: PostgresConnection, logger: Logger) async throws -> ChainHead {
        try await lock(chain: chain, shreddedAmong: [], on: connection, logger: logger).head
    }

    /// Locks and reads the head row and, in the same round trip, which of `subjects` have been shredded. Read
    /// under the lock, so a shred committed by any process is seen before more PHI is sealed for the subject.
    static func lock(
        chain: String, shreddedAmong subjects: [String], on connection: PostgresConnection, logger: Logger
    ) async throws -> (head: ChainHead, shredded: Set<String>) {
        let rows = try await connection.query(
            """
            SELECT seq, head_hash, frontier,
                   ARRAY(SELECT subject_id FROM subject_keys
                         WHERE chain_id = \(chain) AND subject_id = ANY(\(subjects)::text[]) AND wrapped IS NULL)
            FROM ledger_heads WHERE chain_id = \(chain) FOR UPDATE
            """, logger: logger)
        for try await (seq, hash, frontier, shredded) in rows.decode((Int64, ByteBuffer, ByteBuffer, [String]).self) {
            let head = ChainHead(seq: seq, hash: Array(buffer: hash), tree: try CompactRange(size: Int(seq), serialized: Array(buffer: frontier)))
            return (head, Set(shredded))
        }
        throw LedgerWriteError.unavailable("chain head row for '\(chain)' is missing")
    }
}

extension ChainHead {
    /// The same position on the chain: the seq and the hash there (which fixes the rest).
    func isAt(_ other: ChainHead) -> Bool {
        seq == other.seq && hash == other.hash
    }
}
