import Ledger

/// One row of `ledger_entries` as the verifier reads it: the canonical bytes and their signature, and the columns
/// that copy fields of the entry for queries (which must agree with it).
struct StoredEntryRow: Sendable {
    let seq: Int64
    let entryHash: [UInt8]
    let prevHash: [UInt8]
    let canonical: [UInt8]
    let keyID: String
    let signature: [UInt8]
    let recordedAt: String
    let action: String
    let actorID: String?
    let subjectID: String?

    /// The COPY select that produces rows `init(copyFields:)` reads. Every column is hex or plain ASCII, so that
    /// no COPY escaping is involved.
    static func copySelect(chain: String, after seq: Int64 = 0) -> String {
        """
        SELECT seq, encode(entry_hash, 'hex'), encode(prev_hash, 'hex'), encode(canonical, 'hex'), key_id, encode(signature, 'hex'),
               to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), encode(convert_to(action, 'UTF8'), 'hex'),
               encode(convert_to(actor_id, 'UTF8'), 'hex'), encode(convert_to(subject_id, 'UTF8'), 'hex')
        FROM ledger_entries WHERE chain_id = '\(chain)' AND seq > \(seq) ORDER BY seq
        """
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(copyFields fields: [Substring]) throws {
        guard fields.count == 10, let seq = Int64(fields[0]) else { throw Malformed(description: "a ledger_entries row has an unexpected shape") }
        func bytes(_ index: Int) throws -> [UInt8] {
            guard let value = Hex.decode(fields[index]) else { throw Malformed(description: "seq \(seq): column \(index + 1) is not hex") }
            return value
        }
        func text(_ index: Int) throws -> String? {
            fields[index] == "\\N" ? nil : String(decoding: try bytes(index), as: UTF8.self)
        }
        self.seq = seq
        entryHash = try bytes(1)
        prevHash = try bytes(2)
        canonical = try bytes(3)
        keyID = String(fields[4])
        signature = try bytes(5)
        recordedAt = String(fields[6])
        action = try text(7) ?? ""
        actorID = try text(8)
        subjectID = try text(9)
    }

    init(seq: Int64, entryHash: [UInt8], prevHash: [UInt8], canonical: [UInt8], keyID: String, signature: [UInt8], recordedAt: String,
         action: String, actorID: String?, subjectID: String?) {
        self.seq = seq
        self.entryHash = entryHash
        self.prevHash = prevHash
        self.canonical = canonical
        self.keyID = keyID
        self.signature = signature
        self.recordedAt = recordedAt
        self.action = action
        self.actorID = actorID
        self.subjectID = subjectID
    }
}
