import Ledger

/// One row of `ledger_entries` as the verifier reads it: the canonical bytes and their signature, and the columns
/// that copy fields of the entry for queries (which must agree with it).
struct StoredEntryRow: Sendable {
    let seq: Int64
    let entryHash: [UInt8]
    let prevHash: [UInt8]
    /// The entry's canonical bytes, a slice of the COPY batch (hashing them needs no copy; keeping them keeps the batch).
    let canonical: ArraySlice<UInt8>
    let keyID: String
    let signature: [UInt8]
    /// `recorded_at` in microseconds since 1970.
    let recordedAt: Int64
    let action: String
    let actorID: String?
    let subjectID: String?

    /// The binary COPY select that produces the tuples `init(binaryTuple:)` reads. For `--hashes-only`, the columns
    /// that pass only checks it skips are read as NULL (the signer's key id is kept for rotation entries, which the
    /// trusted key set follows): PostgreSQL producing the rows is what bounds that pass.
    static func copySelect(chain: String, after seq: Int64 = 0, hashesOnly: Bool = false) -> String {
        let checkedColumns = hashesOnly
            ? "CASE WHEN action = '\(KeyRotation.action)' THEN key_id END, NULL::bytea, NULL::timestamptz, action, NULL::text, NULL::text"
            : "key_id, signature, recorded_at, action, actor_id, subject_id"
        return """
            SELECT seq, entry_hash, prev_hash, canonical, \(checkedColumns)
            FROM ledger_entries WHERE chain_id = '\(chain)' AND seq > \(seq) ORDER BY seq
            """
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Decodes one binary COPY tuple of `copySelect`'s columns.
    init(binaryTuple tuple: ArraySlice<UInt8>) throws {
        let fields = try BinaryCopy.fields(of: tuple)
        guard fields.count == 10, let seqRange = fields[0], seqRange.count == 8 else {
            throw Malformed(description: "a ledger_entries row has an unexpected shape")
        }
        func int64(_ range: Range<Int>) -> Int64 { Int64(bitPattern: tuple[range].reduce(0) { $0 << 8 | UInt64($1) }) }
        let seq = int64(seqRange)
        func bytes(_ index: Int) throws -> [UInt8] {
            guard let range = fields[index] else { throw Malformed(description: "seq \(seq): column \(index + 1) is NULL") }
            return Array(tuple[range])
        }
        func text(_ index: Int) -> String? {
            fields[index].map { String(decoding: tuple[$0], as: UTF8.self) }
        }
        self.seq = seq
        entryHash = try bytes(1)
        prevHash = try bytes(2)
        guard let canonicalRange = fields[3] else { throw Malformed(description: "seq \(seq): column 4 is NULL") }
        canonical = tuple[canonicalRange]
        // NULL only where `copySelect` left a column out; the checks that read it are not run then.
        keyID = text(4) ?? ""
        signature = fields[5].map { Array(tuple[$0]) } ?? []
        // A binary timestamptz is microseconds since 2000-01-01.
        if let timeRange = fields[6] {
            guard timeRange.count == 8 else { throw Malformed(description: "seq \(seq): recorded_at is not a timestamp") }
            recordedAt = int64(timeRange) + 946_684_800_000_000
        } else {
            recordedAt = 0
        }
        action = text(7) ?? ""
        actorID = text(8)
        subjectID = text(9)
    }
}
