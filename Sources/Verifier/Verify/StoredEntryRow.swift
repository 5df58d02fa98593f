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
        var fields = try BinaryCopy.Fields(of: tuple)
        guard fields.count == 10, let seqRange = try fields.next(), seqRange.count == 8 else {
            throw Malformed(description: "a ledger_entries row has an unexpected shape")
        }
        func int64(_ range: Range<Int>) -> Int64 { Int64(bitPattern: tuple[range].reduce(0) { $0 << 8 | UInt64($1) }) }
        let seq = int64(seqRange)
        func required(_ column: Int) throws -> Range<Int> {
            guard let range = try fields.next() else { throw Malformed(description: "seq \(seq): column \(column) is NULL") }
            return range
        }
        func text() throws -> String? {
            try fields.next().map { String(decoding: tuple[$0], as: UTF8.self) }
        }
        self.seq = seq
        entryHash = Array(tuple[try required(2)])
        prevHash = Array(tuple[try required(3)])
        canonical = tuple[try required(4)]
        // NULL only where `copySelect` left a column out; the checks that read it are not run then.
        keyID = try text() ?? ""
        signature = try fields.next().map { Array(tuple[$0]) } ?? []
        // A binary timestamptz is microseconds since 2000-01-01.
        if let timeRange = try fields.next() {
            guard timeRange.count == 8 else { throw Malformed(description: "seq \(seq): recorded_at is not a timestamp") }
            recordedAt = int64(timeRange) + 946_684_800_000_000
        } else {
            recordedAt = 0
        }
        action = try text() ?? ""
        actorID = try text()
        subjectID = try text()
        try fields.end()
    }
}
