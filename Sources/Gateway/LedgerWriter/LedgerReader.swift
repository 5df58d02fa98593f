import Ledger
import Logging
import NIOCore
import PostgresNIO

/// Reads entries and checkpoints back from PostgreSQL. It trusts nothing it reads: callers verify with the
/// pure functions of the Ledger module.
struct LedgerReader: Sendable {
    let client: PostgresClient
    let chain: String
    let logger: Logger

    /// Entries with seq in `range`, in order.
    func entries(_ range: ClosedRange<Int64>) async throws -> [SignedEntry] {
        let rows = try await client.query(
            """
            SELECT canonical, entry_hash, key_id, signature FROM ledger_entries
            WHERE chain_id = \(chain) AND seq BETWEEN \(range.lowerBound) AND \(range.upperBound) ORDER BY seq
            """, logger: logger)
        var result: [SignedEntry] = []
        for try await (canonical, hash, keyID, signature) in rows.decode((ByteBuffer, ByteBuffer, String, ByteBuffer).self) {
            let bytes = Array(buffer: canonical)
            result.append(SignedEntry(
                entry: try LedgerEntry(canonicalBytes: bytes), canonicalBytes: bytes, entryHash: Array(buffer: hash),
                keyID: keyID, signature: Array(buffer: signature)))
        }
        return result
    }

    /// The head's seq and hash.
    func head() async throws -> (seq: Int64, hash: [UInt8]) {
        let rows = try await client.query("SELECT seq, head_hash FROM ledger_heads WHERE chain_id = \(chain)", logger: logger)
        for try await (seq, hash) in rows.decode((Int64, ByteBuffer).self) { return (seq, Array(buffer: hash)) }
        return (0, genesisPrevHash)
    }

    /// Merkle leaf hashes of the first `size` entries, for proofs.
    func leafHashes(upTo size: Int64) async throws -> [[UInt8]] {
        let rows = try await client.query(
            "SELECT entry_hash FROM ledger_entries WHERE chain_id = \(chain) AND seq <= \(size) ORDER BY seq", logger: logger)
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(Int(size))
        for try await hash in rows.decode(ByteBuffer.self) { leaves.append(EntryHash.merkleLeaf(entryHash: Array(buffer: hash))) }
        return leaves
    }

    /// Every stored checkpoint note, oldest first.
    func checkpointNotes() async throws -> [(treeSize: Int64, note: String)] {
        let rows = try await client.query(
            "SELECT tree_size, note FROM ledger_checkpoints WHERE chain_id = \(chain) ORDER BY tree_size", logger: logger)
        var notes: [(Int64, String)] = []
        for try await (size, note) in rows.decode((Int64, String).self) { notes.append((size, note)) }
        return notes
    }
}
