import Ledger

/// Collects a bundle's entries while the chain is verified: the Merkle tree of every stored row (for the
/// proofs), and the verified entries the selection takes. The proofs lead to the latest stored checkpoint,
/// which the verification has checked against the same rows.
struct BundleExport {
    let selection: AuditBundle.Selection
    let producer: String

    struct Outcome {
        /// Nil when the chain is not intact: nothing is exported from it.
        let archive: [UInt8]?
        let entries: Int
        let treeSize: Int64
        /// Selected entries after the latest checkpoint.
        let leftOut: Int
        let findings: [Finding]
    }

    /// What the verification's callbacks fill in.
    private final class State {
        var levels = MerkleLevels()
        /// The selected entries, proofs still to come. Copied out of the row: a row's bytes are a slice of a whole
        /// COPY batch, which keeping the row would keep.
        var selected: [AuditBundle.Entry] = []
        var checkpoint: (size: Int64, note: String)?
    }

    func run(_ verification: inout ChainVerification, signingKey: Ed25519SigningKey) throws -> Outcome {
        let state = State()
        let chain = verification.chain
        let selection = self.selection
        verification.prepare = { connection in
            let latest = try connection.query(
                "SELECT tree_size, note FROM ledger_checkpoints WHERE chain_id = $1 ORDER BY tree_size DESC LIMIT 1", [chain]).first
            if let latest, let size = latest[0].flatMap({ Int64($0) }), let note = latest[1] { state.checkpoint = (size, note) }
        }
        verification.onEntry = { row, entry in
            state.levels.append(leafHash: EntryHash.merkleLeaf(entryHash: row.entryHash))
            guard let entry, Self.selects(selection, entry) else { return }
            state.selected.append(AuditBundle.Entry(
                canonical: Array(row.canonical), seq: entry.seq, entryHash: row.entryHash, keyID: row.keyID, signature: row.signature, proof: []))
        }
        let report = try verification.runWithProgress()
        guard report.intact else {
            return Outcome(archive: nil, entries: 0, treeSize: 0, leftOut: 0, findings: report.findings)
        }
        guard let checkpoint = state.checkpoint else {
            throw ExportError(description: "the chain has no checkpoint yet, so there is nothing to prove entries against")
        }
        let covered = state.selected.filter { $0.seq <= checkpoint.size }
        let entries = try covered.map { selected in
            var entry = selected
            entry.proof = try state.levels.inclusionProof(index: Int(selected.seq - 1), treeSize: Int(checkpoint.size))
            return entry
        }
        let bundle = AuditBundle(
            chain: chain, createdAt: .now(), producer: producer, selection: selection, checkpointNote: checkpoint.note,
            treeSize: checkpoint.size, entries: entries, ledgerKeys: report.trustedKeys.sorted { $0.keyID < $1.keyID })
        return Outcome(
            archive: try bundle.archive(signedWith: signingKey), entries: entries.count, treeSize: checkpoint.size,
            leftOut: state.selected.count - covered.count, findings: [])
    }

    static func selects(_ selection: AuditBundle.Selection, _ entry: LedgerEntry) -> Bool {
        if let from = selection.from, entry.recordedAt < from { return false }
        if let to = selection.to, entry.recordedAt >= to { return false }
        if let patient = selection.patient, !BundleVerification.concerns(entry, patient: patient) { return false }
        return true
    }
}

struct ExportError: Error, CustomStringConvertible {
    let description: String
}
