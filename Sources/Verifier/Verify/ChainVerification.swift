import Foundation
import Ledger

/// A whole `verifier verify` run against a database: streams the chain through `ChainVerifier`, then checks the
/// stored checkpoints, the witness file, `ledger_keys` and `ledger_heads` against what the replay found.
struct ChainVerification {
    let connection: LibPQConnection
    let chain: String
    let trustedKeys: [String: Ed25519PublicKey]
    let witness: [WitnessLog.Line]
    /// An earlier attestation to continue from: only entries after it are read, and they must extend it.
    var since: Attestation?
    /// False for `--hashes-only`.
    var verifySignatures = true
    /// `--replay`: rebuild the projections from the chain and compare them with the tables.
    var replay = false
    /// Opens sealed payloads for `--replay`.
    var kek: KeyEncryptionKey?
    var batchSize = 4096
    var progress: ((Int64, Int64) -> Void)?
    /// Called in the run's snapshot before the entries are read, with the connection free for queries.
    var prepare: ((LibPQConnection) throws -> Void)?
    /// Called with each stored row in seq order, and its entry when it verified (nil when it did not).
    var onEntry: ((StoredEntryRow, LedgerEntry?) throws -> Void)?

    struct Report {
        let chain: String
        /// The tree size of the attestation this run continued from, if any.
        let since: Int64?
        /// Entries read in this run (after `since`, when given).
        let entries: Int64
        /// The chain's length as replayed: the tree size an attestation of this run covers.
        let treeSize: Int64
        let rootHash: [UInt8]
        let headHash: [UInt8]
        let checkpoints: Int
        let witnessedCheckpoints: Int
        var checks: [String]
        let findings: [Finding]
        let findingsNotListed: Int
        /// For an attestation of this run: the tree's right edge and every key trusted at the end.
        let frontier: [[UInt8]]
        let trustedKeys: [Ed25519PublicKey]
        var intact: Bool { findings.isEmpty && findingsNotListed == 0 }

        /// What `--format json` prints.
        struct Document: Encodable {
            let chain: String
            let since: Int64?
            let entries: Int64
            let treeSize: Int64
            let headHash: String
            let treeRoot: String
            let checkpoints: Int
            let witnessedCheckpoints: Int
            let trustedKeys: [String]
            let checks: [String]
            let findings: [Finding]
            let findingsNotListed: Int
            let intact: Bool
        }

        var document: Document {
            Document(
                chain: chain, since: since, entries: entries, treeSize: treeSize, headHash: Hex.encode(headHash), treeRoot: Hex.encode(rootHash),
                checkpoints: checkpoints, witnessedCheckpoints: witnessedCheckpoints, trustedKeys: trustedKeys.map(\.keyID).sorted(),
                checks: checks, findings: findings, findingsNotListed: findingsNotListed, intact: intact)
        }
    }

    /// `run()`, with a progress bar on a terminal.
    func runWithProgress() throws -> Report {
        var bar = ProgressBar()
        defer { bar.finish() }
        var verification = self
        verification.progress = { done, total in bar.update(done: done, total: total) }
        return try verification.run()
    }

    func run() throws -> Report {
        // Everything is read in one snapshot: a gateway writing meanwhile cannot make the head, the checkpoints or
        // the tables disagree with the entries read.
        try connection.beginSnapshot()
        let checkpoints = try connection.query(
            "SELECT tree_size, note FROM ledger_checkpoints WHERE chain_id = $1 ORDER BY tree_size", [chain])
            .compactMap { row -> (size: Int64, note: String)? in
                guard let size = row[0].flatMap({ Int64($0) }), let note = row[1] else { return nil }
                return (size, note)
            }
        let headRow = try connection.query("SELECT seq FROM ledger_heads WHERE chain_id = $1", [chain]).first
        let expected = headRow?.first.flatMap { $0 }.flatMap { Int64($0) }
        var sizes = Set(checkpoints.map(\.size))
        let witnessedSizes = witness.map { CheckpointCheck.claimedSize(of: $0.note) }
        sizes.formUnion(witnessedSizes.compactMap { $0 })

        var startingKeys = trustedKeys
        for key in since?.trustedKeys ?? [] { startingKeys[key.keyID] = key }
        let verifier = ChainVerifier(
            chain: chain, trustedKeys: startingKeys, sizesOfInterest: sizes, resumingFrom: try since?.resumePoint(),
            verifySignatures: verifySignatures)
        if let since { try checkAttestedHead(since, verifier) }
        let replayCheck = replay ? try ReplayCheck(main: connection, chain: chain, kek: kek, record: { verifier.record($0) }) : nil
        try prepare?(connection)
        if replayCheck != nil || onEntry != nil {
            let observer = onEntry
            verifier.onEntry = { row, entry in
                try replayCheck?.entry(seq: row.seq, entry)
                try observer?(row, entry)
            }
        }
        let after = since?.treeSize ?? 0
        // One thread reads COPY into batches while this one verifies the batch before (on every core).
        let pipe = BatchPipe<CopyBatch>(capacity: 2)
        let reader = UncheckedConnection(connection: connection)
        let select = StoredEntryRow.copySelect(chain: chain, after: after, hashesOnly: !verifySignatures)
        let size = batchSize
        DispatchQueue.global().async {
            do {
                // Sized from the batch before, so that a batch grows its buffer about once.
                var bytesEach = 1024
                var batch = CopyBatch(tuples: size, bytesEach: bytesEach)
                try reader.connection.copyOutBinary(select) { tuple in
                    batch.append(tuple)
                    if batch.count == size {
                        bytesEach = batch.bytes.count / size + 64
                        pipe.put(batch)
                        batch = CopyBatch(tuples: size, bytesEach: bytesEach)
                    }
                }
                if !batch.isEmpty { pipe.put(batch) }
                pipe.finish()
            } catch {
                pipe.finish(error)
            }
        }
        do {
            while let batch = try pipe.take() {
                try verifier.consume(batch)
                progress?(verifier.entries, expected ?? 0)
            }
        } catch {
            pipe.finish(error)  // lets the reader put its last batch and end
            throw error
        }

        let keys = Array(verifier.trustedKeys.values)
        // What an attestation covered was checked when it was made; only what reaches past it is checked again.
        for checkpoint in checkpoints where checkpoint.size >= after {
            if let finding = CheckpointCheck.check(
                checkpoint.note, storedSize: checkpoint.size, table: "ledger_checkpoints", row: "tree_size \(checkpoint.size)", keys: keys,
                chainLength: verifier.lastSeq, snapshots: verifier.snapshots) {
                verifier.record(finding)
            }
        }
        for (line, size) in zip(witness, witnessedSizes) where (size ?? after) >= after {
            if let finding = CheckpointCheck.check(
                line.note, storedSize: line.treeSize, table: "witness file", row: "line \(line.number)", keys: keys,
                chainLength: verifier.lastSeq, snapshots: verifier.snapshots) {
                verifier.record(finding)
            }
        }
        try checkKeyTable(verifier)
        try checkHead(verifier)
        try replayCheck?.finish()
        try connection.commit()
        var report = Report(
            chain: chain, since: since?.treeSize, entries: verifier.entries, treeSize: Int64(verifier.tree.size), rootHash: verifier.tree.root,
            headHash: verifier.headHash, checkpoints: checkpoints.count, witnessedCheckpoints: witness.count,
            checks: [
                "seq continuity", "prev links", "entry hashes", "canonical bytes", "signatures (following key rotations)", "index columns",
                "checkpoint signatures, roots and heads", "witnessed checkpoints", "ledger_keys", "ledger_heads",
            ],
            findings: verifier.findings, findingsNotListed: verifier.findingsNotKept, frontier: verifier.tree.hashes,
            trustedKeys: Array(verifier.trustedKeys.values))
        if !verifySignatures { report.checks.removeAll { $0.hasPrefix("signatures") } }
        if let replayCheck { report.checks.append(replayCheck.checkName) }
        return report
    }

    /// The attested head must still be there, unchanged: a chain cut back or rewritten below the attestation is
    /// caught here, without reading what the attestation covered.
    private func checkAttestedHead(_ since: Attestation, _ verifier: ChainVerifier) throws {
        guard since.chain == chain else {
            throw Attestation.Invalid(description: "the attestation is for chain \(since.chain), not \(chain)")
        }
        guard since.treeSize > 0 else { return }
        let row = try connection.query(
            "SELECT encode(entry_hash, 'hex') FROM ledger_entries WHERE chain_id = $1 AND seq = $2", [chain, String(since.treeSize)]).first
        if row?.first.flatMap({ $0 }) != Hex.encode(since.headHash) {
            verifier.record(Finding(
                seq: since.treeSize, check: "attestation",
                message: row == nil
                    ? "entry \(since.treeSize), the head attested on \(since.time), is gone (the chain was cut back)"
                    : "entry \(since.treeSize) is not the one attested on \(since.time) (the chain was rewritten)"))
        }
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

/// The connection, lent to the reading thread for the COPY; nothing else uses it until the COPY ends.
private struct UncheckedConnection: @unchecked Sendable {
    let connection: LibPQConnection
}
