import Foundation
import Ledger

/// A whole `verifier verify` run against a database: streams the chain through `ChainVerifier`, then checks the
/// stored checkpoints, the witness file, `ledger_keys` and `ledger_heads` against what the replay found.
struct ChainVerification {
    let connection: LibPQConnection
    let chain: String
    let trustedKeys: [String: Ed25519PublicKey]
    let witness: [WitnessLog.Line]
    var batchSize = 4096
    var progress: ((Int64, Int64) -> Void)?

    struct Report: Encodable {
        let chain: String
        let entries: Int64
        let headHash: String
        let treeRoot: String
        let checkpoints: Int
        let witnessedCheckpoints: Int
        let trustedKeys: [String]
        let checks: [String]
        let findings: [Finding]
        let findingsNotListed: Int
        var intact: Bool { findings.isEmpty && findingsNotListed == 0 }

        enum CodingKeys: String, CodingKey {
            case chain, entries, headHash, treeRoot, checkpoints, witnessedCheckpoints, trustedKeys, checks, findings, findingsNotListed, intact
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(chain, forKey: .chain)
            try container.encode(entries, forKey: .entries)
            try container.encode(headHash, forKey: .headHash)
            try container.encode(treeRoot, forKey: .treeRoot)
            try container.encode(checkpoints, forKey: .checkpoints)
            try container.encode(witnessedCheckpoints, forKey: .witnessedCheckpoints)
            try container.encode(trustedKeys, forKey: .trustedKeys)
            try container.encode(checks, forKey: .checks)
            try container.encode(findings, forKey: .findings)
            try container.encode(findingsNotListed, forKey: .findingsNotListed)
            try container.encode(intact, forKey: .intact)
        }
    }

    func run() throws -> Report {
        let checkpoints = try connection.query(
            "SELECT tree_size, note FROM ledger_checkpoints WHERE chain_id = $1 ORDER BY tree_size", [chain])
            .compactMap { row -> (size: Int64, note: String)? in
                guard let size = row[0].flatMap({ Int64($0) }), let note = row[1] else { return nil }
                return (size, note)
            }
        let headRow = try connection.query("SELECT seq FROM ledger_heads WHERE chain_id = $1", [chain]).first
        let expected = headRow?.first.flatMap { $0 }.flatMap { Int64($0) }
        var sizes = Set(checkpoints.map(\.size))
        for line in witness { if let size = CheckpointCheck.claimedSize(of: line.note) { sizes.insert(size) } }

        let verifier = ChainVerifier(chain: chain, trustedKeys: trustedKeys, sizesOfInterest: sizes)
        var batch: [StoredEntryRow] = []
        batch.reserveCapacity(batchSize)
        try connection.copyOut(StoredEntryRow.copySelect(chain: chain)) { fields in
            batch.append(try StoredEntryRow(copyFields: fields))
            if batch.count == batchSize {
                verifier.consume(batch)
                batch.removeAll(keepingCapacity: true)
                progress?(verifier.entries, expected ?? 0)
            }
        }
        verifier.consume(batch)
        progress?(verifier.entries, expected ?? 0)

        let keys = Array(verifier.trustedKeys.values)
        for checkpoint in checkpoints {
            if let finding = CheckpointCheck.check(
                checkpoint.note, storedSize: checkpoint.size, table: "ledger_checkpoints", row: "tree_size \(checkpoint.size)", keys: keys,
                chainLength: verifier.lastSeq, snapshots: verifier.snapshots) {
                verifier.record(finding)
            }
        }
        for line in witness {
            if let finding = CheckpointCheck.check(
                line.note, storedSize: line.treeSize, table: "witness file", row: "line \(line.number)", keys: keys,
                chainLength: verifier.lastSeq, snapshots: verifier.snapshots) {
                verifier.record(finding)
            }
        }
        try checkKeyTable(verifier)
        try checkHead(verifier)
        return Report(
            chain: chain, entries: verifier.entries, headHash: Hex.encode(verifier.headHash), treeRoot: Hex.encode(verifier.tree.root),
            checkpoints: checkpoints.count, witnessedCheckpoints: witness.count, trustedKeys: verifier.trustedKeys.keys.sorted(),
            checks: [
                "seq continuity", "prev links", "entry hashes", "canonical bytes", "signatures (following key rotations)", "index columns",
                "checkpoint signatures, roots and heads", "witnessed checkpoints", "ledger_keys", "ledger_heads",
            ],
            findings: verifier.findings, findingsNotListed: verifier.findingsNotKept)
    }

    /// `ledger_keys` is not trusted, but it is what other tools read: a row that disagrees with a trusted key
    /// (a swapped public key) is tampering.
    private func checkKeyTable(_ verifier: ChainVerifier) throws {
        for row in try connection.query("SELECT key_id, encode(public_key, 'hex') FROM ledger_keys ORDER BY key_id") {
            guard let keyID = row[0], let hex = row[1] else { continue }
            let stored = Hex.decode(hex).flatMap { try? Ed25519PublicKey(bytes: $0) }
            if stored?.keyID != keyID {
                verifier.record(Finding(
                    table: "ledger_keys", row: "key_id \(keyID.prefix(16))…", check: "keys",
                    message: "the public key stored is not the key its id names (the key was swapped)"))
            } else if let trusted = verifier.trustedKeys[keyID], trusted != stored {
                verifier.record(Finding(
                    table: "ledger_keys", row: "key_id \(keyID.prefix(16))…", check: "keys", message: "the public key differs from the trusted one"))
            }
        }
    }

    /// The head row must point at the last entry.
    private func checkHead(_ verifier: ChainVerifier) throws {
        guard let row = try connection.query(
            "SELECT seq, encode(head_hash, 'hex') FROM ledger_heads WHERE chain_id = $1", [chain]).first else {
            if verifier.entries > 0 { verifier.record(Finding(table: "ledger_heads", row: chain, check: "head", message: "the chain has no head row")) }
            return
        }
        let seq = row[0].flatMap { Int64($0) } ?? -1
        if seq != verifier.lastSeq || row[1] != Hex.encode(verifier.headHash) {
            verifier.record(Finding(
                seq: max(seq, verifier.lastSeq), table: "ledger_heads", row: chain, check: "head",
                message: "the head row says seq \(seq) but the entries end at seq \(verifier.lastSeq) (entries were removed or the head was moved)"))
        }
    }
}
