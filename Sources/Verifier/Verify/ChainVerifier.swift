import Dispatch
import Ledger

/// Replays a chain's entries in seq order, batch by batch, and records what is wrong with them: bytes that do not
/// hash to their stored hash or are not canonical, gaps and broken links, signatures that do not verify under a
/// trusted key (the set grows only through valid rotation entries), and index columns that disagree with the
/// entry. Per-entry checks run on every core; the chain's order is then followed on one. It keeps the Merkle
/// tree's compact range, and the root and head at the tree sizes asked for, so memory stays flat.
final class ChainVerifier {
    let chain: String
    /// Keys trusted so far: the ones given, then those introduced by valid rotation entries.
    private(set) var trustedKeys: [String: Ed25519PublicKey]
    private(set) var findings: [Finding] = []
    private(set) var entries: Int64 = 0
    private(set) var lastSeq: Int64 = 0
    private(set) var headHash: [UInt8] = genesisPrevHash
    private(set) var tree = CompactRange()
    /// Root and head hash at each tree size of interest (checkpoints, witnessed checkpoints) that was reached.
    private(set) var snapshots: [Int64: (root: [UInt8], head: [UInt8])] = [:]
    private let sizesOfInterest: Set<Int64>
    /// False for a quick pass: hashes, links and checkpoints, without each entry's signature. Checkpoints are
    /// still signed, so the chain up to the last checkpoint is still bound to a trusted key.
    private let verifySignatures: Bool
    /// More findings than this and the rest are counted, not kept: a rewritten chain would otherwise list every
    /// entry.
    static let maximumFindings = 1000
    private(set) var findingsNotKept = 0
    /// Called with each row in seq order, and its entry when it verified (nil when it did not).
    var onEntry: ((StoredEntryRow, LedgerEntry?) throws -> Void)?

    /// Where to pick up a chain verified earlier (an attestation): its tree's right edge and head.
    struct Resume {
        let tree: CompactRange
        let headHash: [UInt8]
    }

    init(
        chain: String, trustedKeys: [String: Ed25519PublicKey], sizesOfInterest: Set<Int64>, resumingFrom resume: Resume? = nil,
        verifySignatures: Bool = true
    ) {
        self.chain = chain
        self.verifySignatures = verifySignatures
        self.trustedKeys = trustedKeys
        self.sizesOfInterest = sizesOfInterest
        if let resume {
            tree = resume.tree
            headHash = resume.headHash
            lastSeq = Int64(resume.tree.size)
            snapshots[lastSeq] = (resume.tree.root, resume.headHash)
        }
    }

    /// What each entry's own checks found, computed in parallel.
    private struct Checked {
        /// What the entry states of its place in the chain, when its bytes are an entry.
        var position: Position?
        /// The entry itself, when it was built: only for a key rotation or an `onEntry` observer, or when its bytes
        /// are not in the layout read in place. Boxed, so that a batch's results stay small to copy.
        var built: Built?
        var problem: EntryVerification.Finding?
        var parseError: String?
        /// Only the hash was checked (`--hashes-only`): the link is followed through the row's columns.
        var hashOnly = false
        /// The signature was checked in the parallel pass (its key was trusted before the batch).
        var signatureChecked = false
        /// Index columns that disagree with the entry (recorded only if it otherwise verifies).
        var differingColumns: [String] = []

        var entry: LedgerEntry? { built?.entry }
    }

    /// An entry's chain, seq and prev. Where they agree with the verified chain's name and the row's `prev_hash`,
    /// they share those values' storage, so that keeping them costs no allocation.
    private struct Position: ChainLinkFields {
        let chainName: String
        let seq: Int64
        let prev: [UInt8]

        init(_ fields: some ChainLinkFields, chain: String, row: StoredEntryRow) {
            chainName = fields.isOnChain(chain) ? chain : fields.chainName
            seq = fields.seq
            prev = fields.prevEquals(row.prevHash) ? row.prevHash : fields.prev
        }
    }

    private final class Built: Sendable {
        let entry: LedgerEntry
        init(_ entry: LedgerEntry) { self.entry = entry }
    }

    /// Verifies the next binary COPY tuples of `StoredEntryRow.copySelect`. Decoding them is part of the work
    /// done on every core; a tuple that does not decode means the query was not ours, and stops the run.
    func consume(_ tuples: CopyBatch) throws {
        var decoded = [StoredEntryRow?](repeating: nil, count: tuples.count)
        var checked = [Checked](repeating: Checked(), count: tuples.count)
        let parse = verifySignatures, keys = trustedKeys, buildEntries = onEntry != nil, chain = chain
        decoded.withUnsafeMutableBufferPointer { rows in
            checked.withUnsafeMutableBufferPointer { results in
                let rowsOut = UnsafeSendable(rows), out = UnsafeSendable(results)
                DispatchQueue.concurrentPerform(iterations: tuples.count) { index in
                    guard let row = try? StoredEntryRow(binaryTuple: tuples[index]) else { return }
                    rowsOut.value[index] = row
                    // Without signatures, an entry's bytes are bound by its hash and the signed checkpoints' roots;
                    // parsing them (the costly part) is left to key rotations, which the trusted key set follows.
                    if parse || row.action == KeyRotation.action {
                        // The quick pass reads the index columns as NULL, so it does not compare them.
                        Self.checkBytes(row, chain: chain, buildEntry: buildEntries, checkColumns: parse, into: &out.value[index])
                    } else {
                        out.value[index].problem = EntryVerification.checkHash(canonicalBytes: row.canonical, storedHash: row.entryHash)
                        out.value[index].hashOnly = true
                    }
                    // Signed by a key trusted before this batch: checked here, while the row is at hand.
                    if parse, out.value[index].problem == nil, out.value[index].position != nil, keys[row.keyID] != nil {
                        out.value[index].problem = EntryVerification.checkSignature(
                            entryHash: row.entryHash, keyID: row.keyID, signature: row.signature, trustedKeys: keys)
                        out.value[index].signatureChecked = true
                    }
                }
            }
        }
        guard !decoded.contains(where: { $0 == nil }) else { throw StoredEntryRow.Malformed(description: "a ledger_entries row did not decode") }
        let batch = decoded.map { $0! }
        if parse { checkRemainingSignatures(batch, &checked) }
        for index in batch.indices {
            let verified = follow(batch[index], checked[index])
            try onEntry?(batch[index], verified)
        }
    }

    /// The signatures not checked with the rest: by a key that a rotation in this batch introduces, or by no known
    /// key. Every key a rotation in the batch names is offered; whether it was trusted at that point is decided in
    /// order, by `follow`.
    private func checkRemainingSignatures(_ batch: [StoredEntryRow], _ checked: inout [Checked]) {
        let remaining = checked.indices.filter { checked[$0].problem == nil && checked[$0].position != nil && !checked[$0].signatureChecked }
        guard !remaining.isEmpty else { return }
        var candidates = trustedKeys
        for result in checked {
            if let entry = result.entry, entry.action == KeyRotation.action, case .clear(let payload) = entry.payload,
               let hex = payload["newPublicKey"]?.stringValue, let bytes = Hex.decode(hex), let key = try? Ed25519PublicKey(bytes: bytes) {
                candidates[key.keyID] = key
            }
        }
        let keys = candidates
        checked.withUnsafeMutableBufferPointer { results in
            let out = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: remaining.count) { slot in
                let index = remaining[slot], row = batch[index]
                out.value[index].problem = EntryVerification.checkSignature(
                    entryHash: row.entryHash, keyID: row.keyID, signature: row.signature, trustedKeys: keys)
            }
        }
    }

    /// The checks of one row that need nothing but the row.
    private static func checkBytes(_ row: StoredEntryRow, chain: String, buildEntry: Bool, checkColumns: Bool, into result: inout Checked) {
        if let finding = EntryVerification.checkHash(canonicalBytes: row.canonical, storedHash: row.entryHash) {
            result.problem = finding
            return
        }
        func keep(_ fields: some IndexedFields, built entry: LedgerEntry?) {
            result.position = Position(fields, chain: chain, row: row)
            if checkColumns { result.differingColumns = Self.differingColumns(row, fields) }
            result.built = entry.map(Built.init)
        }
        // Reading insists on the canonical form: the view admits nothing else, and bytes it leaves to the general
        // parser must re-encode identically.
        if let view = CanonicalEntryView(row.canonical) {
            keep(view, built: buildEntry || view.action.elementsEqual(KeyRotation.action.utf8) ? view.entry() : nil)
            return
        }
        do {
            let entry = try LedgerEntry(canonicalBytes: Array(row.canonical))
            keep(entry, built: entry)
        } catch {
            result.parseError = "\(error)"
        }
    }

    /// The checks that follow the chain's order, for one row; returns the entry when it verified and was built
    /// (always, when `onEntry` is set).
    private func follow(_ row: StoredEntryRow, _ result: Checked) -> LedgerEntry? {
        let expected = lastSeq + 1
        var verified: LedgerEntry?
        entries += 1
        if let parseError = result.parseError {
            record(Finding(seq: row.seq, check: "entry", message: "entry bytes are not a ledger entry: \(parseError)"))
        } else if result.hashOnly, result.problem == nil {
            if row.seq != expected {
                record(Finding(seq: row.seq, check: "link", message: EntryVerification.Finding.seqGap(expected: expected, found: row.seq).description))
            } else if row.prevHash != headHash {
                record(Finding(seq: row.seq, check: "link", message: EntryVerification.Finding.brokenLink.description))
            }
        } else if let position = result.position {
            if let link = EntryVerification.checkLink(position, chain: chain, expectedSeq: expected, previousHash: headHash) {
                record(Finding(seq: row.seq, check: "link", message: link.description))
            } else if case .unknownKey = result.problem {
                record(Finding(seq: row.seq, check: "signature", message: result.problem!.description))
            } else if let problem = result.problem {
                record(Finding(seq: row.seq, check: problem == .badSignature ? "signature" : "entry", message: problem.description))
            } else if verifySignatures, trustedKeys[row.keyID] == nil {
                record(Finding(seq: row.seq, check: "signature", message: EntryVerification.Finding.unknownKey(row.keyID).description))
            } else {
                verified = result.entry
                if !result.differingColumns.isEmpty {
                    record(Finding(
                        seq: row.seq, table: "ledger_entries", row: "seq \(row.seq)", check: "columns",
                        message: "column \(result.differingColumns.joined(separator: ", ")) disagrees with the signed entry"))
                }
                if let entry = result.entry, entry.action == KeyRotation.action {
                    if let key = KeyRotation.introducedKey(by: entry, signedBy: row.keyID) {
                        trustedKeys[key.keyID] = key
                    } else {
                        record(Finding(seq: row.seq, check: "signature", message: "a key rotation entry whose new key or proof does not verify"))
                    }
                }
            }
        } else if let problem = result.problem {
            record(Finding(seq: row.seq, check: "entry", message: problem.description))
        }
        if row.seq != expected, result.position == nil, !(result.hashOnly && result.problem == nil) {
            record(Finding(seq: row.seq, check: "link", message: EntryVerification.Finding.seqGap(expected: expected, found: row.seq).description))
        }
        // Carry on from what the row claims, so one bad entry is one finding rather than a cascade.
        lastSeq = row.seq
        headHash = row.entryHash
        tree.append(leafHash: EntryHash.merkleLeaf(entryHash: row.entryHash))
        if sizesOfInterest.contains(Int64(tree.size)) { snapshots[Int64(tree.size)] = (tree.root, row.entryHash) }
        return verified
    }

    /// The index columns are copies of the entry's fields; a DBA who edits one (to hide an action from a report,
    /// say) is caught by this even though the entry itself is intact.
    private static func differingColumns(_ row: StoredEntryRow, _ entry: some IndexedFields) -> [String] {
        var differing: [String] = []
        if !entry.prevEquals(row.prevHash) { differing.append("prev_hash") }
        if row.recordedAt != entry.recordedAt.microsecondsSinceEpoch { differing.append("recorded_at") }
        if !entry.actionEquals(row.action) { differing.append("action") }
        if !entry.actorUserIDEquals(row.actorID) { differing.append("actor_id") }
        if !entry.subjectEquals(row.subjectID) { differing.append("subject_id") }
        return differing
    }

    func record(_ finding: Finding) {
        if findings.count < Self.maximumFindings { findings.append(finding) } else { findingsNotKept += 1 }
    }
}

/// Lets the parallel checks write their own slot of one buffer. Each iteration touches only its index.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
