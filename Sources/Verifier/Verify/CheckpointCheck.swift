import Foundation
import Ledger

/// Checks a signed checkpoint (from `ledger_checkpoints` or a witness file) against the chain as replayed: a
/// trusted signature, and the root and head at its tree size.
enum CheckpointCheck {
    /// The tree size a note claims, read without checking its signature (to know which roots to keep).
    static func claimedSize(of note: String) -> Int64? {
        guard let body = body(of: note) else { return nil }
        return try? Checkpoint.parse(body: body).treeSize
    }

    /// What is wrong with `note`, or nil. `place` names where it was found, for the finding.
    static func check(
        _ note: String, storedSize: Int64?, table: String, row: String, keys: [Ed25519PublicKey], chainLength: Int64,
        snapshots: [Int64: (root: [UInt8], head: [UInt8])]
    ) -> Finding? {
        func finding(_ message: String, seq: Int64? = nil) -> Finding {
            Finding(seq: seq, table: table, row: row, check: table == "ledger_checkpoints" ? "checkpoint" : "witness", message: message)
        }
        guard let body = body(of: note), let unverified = try? Checkpoint.parse(body: body) else {
            return finding("not a checkpoint note")
        }
        let verifierKeys = keys.compactMap { try? Checkpoint.verifierKey(origin: unverified.origin, publicKey: $0) }
        guard let checkpoint = try? Checkpoint.open(note, keys: verifierKeys) else {
            return finding("the checkpoint's signature does not verify under a trusted key (forged or re-signed)")
        }
        if let storedSize, storedSize != checkpoint.treeSize {
            return finding("the row says tree size \(storedSize) but the signed checkpoint says \(checkpoint.treeSize)")
        }
        let size = checkpoint.treeSize
        guard size <= chainLength else {
            return finding(
                "it covers \(size) entries but the chain ends at seq \(chainLength): entries \(chainLength + 1)…\(size) are missing (the tail was cut off)",
                seq: chainLength + 1)
        }
        guard let snapshot = snapshots[size] else { return size == 0 ? nil : finding("no root was computed at tree size \(size)") }
        if snapshot.head != checkpoint.headHash {
            return finding("its head is not the hash of entry \(size): the chain up to seq \(size) was changed or rewritten", seq: size)
        }
        if snapshot.root != checkpoint.rootHash {
            return finding("its root is not the Merkle root of entries 1…\(size): an entry at or before seq \(size) was changed or rewritten", seq: size)
        }
        return nil
    }

    private static func body(of note: String) -> String? {
        guard let end = note.range(of: "\n\n") else { return nil }
        return String(note[..<end.lowerBound]) + "\n"
    }
}
