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
        let rows = try await connection.query(
            "SELECT seq, head_hash, frontier FROM ledger_heads WHERE chain_id = \(chain) FOR UPDATE", logger: logger)
        for try await (seq, hash, frontier) in rows.decode((Int64, ByteBuffer, ByteBuffer).self) {
            return ChainHead(seq: seq, hash: Array(buffer: hash), tree: try CompactRange(size: Int(seq), serialized: Array(buffer: frontier)))
        }
        throw LedgerWriteError.unavailable("chain head row for '\(chain)' is missing")
    }

    func store(chain: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE ledger_heads SET seq = \(seq), head_hash = \(ByteBuffer(bytes: hash)),
                frontier = \(ByteBuffer(bytes: tree.serialized)), updated_at = now()
            WHERE chain_id = \(chain)
            """, logger: logger)
    }
}
