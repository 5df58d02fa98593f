import Crypto
import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// Signed audit bundles for security reviewers (docs/bundle-format.md), in the format `verifier export` writes,
/// with the manifest signed by the ledger key. The proofs lead to the latest stored checkpoint, whose root the
/// stored entry hashes must give: a ledger that no longer matches its checkpoint is not exported. The export is
/// recorded as an `audit.export` entry before the bundle is handed out.
struct AuditBundles: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let access: AccessControl
    let chain: String
    let signingKey: Ed25519SigningKey
    let logger: Logger

    /// The most entries one bundle holds.
    static let maximumEntries = 100_000

    struct Export: Sendable {
        let archive: [UInt8]
        let entries: Int
        let treeSize: Int64
    }

    func export(_ selection: AuditBundle.Selection, by principal: Principal) async throws -> Export {
        try access.require(principal, .ledgerExport)
        guard let (treeSize, note) = try await latestCheckpoint() else {
            throw APIError.conflict("The ledger has no signed checkpoint yet to prove entries against; try again after the next one.")
        }
        let levels = try await merkleLevels(through: treeSize)
        let checkpoint = try Self.checkpoint(in: note)
        guard levels.size == treeSize, levels.root(treeSize: Int(treeSize)) == checkpoint.rootHash else {
            logger.critical("the stored entries do not give the root of their checkpoint; nothing is exported", metadata: [
                "tree_size": "\(treeSize)",
            ])
            throw APIError.unavailable("The ledger does not match its latest checkpoint, so no bundle is made. Run `verifier verify`.")
        }
        let entries = try await selectedEntries(selection, through: treeSize, levels: levels)
        let bundle = AuditBundle(
            chain: chain, createdAt: .now(), producer: "gateway", selection: selection, checkpointNote: note, treeSize: treeSize,
            entries: entries, ledgerKeys: [signingKey.publicKey])
        let archive = try bundle.archive(signedWith: signingKey)
        try await record(selection, entries: entries.count, treeSize: treeSize, archive: archive, by: principal)
        return Export(archive: archive, entries: entries.count, treeSize: treeSize)
    }

    private func latestCheckpoint() async throws -> (Int64, String)? {
        let rows = try await client.query(
            "SELECT tree_size, note FROM ledger_checkpoints WHERE chain_id = \(chain) ORDER BY tree_size DESC LIMIT 1", logger: logger)
        for try await (size, note) in rows.decode((Int64, String).self) { return (size, note) }
        return nil
    }

    private static func checkpoint(in note: String) throws -> Checkpoint {
        guard let end = note.range(of: "\n\n") else { throw APIError.unavailable("The latest checkpoint cannot be read.") }
        return try Checkpoint.parse(body: String(note[..<end.lowerBound]) + "\n")
    }

    /// The tree of every entry up to `treeSize`, from the stored hashes, in seq order.
    private func merkleLevels(through treeSize: Int64) async throws -> MerkleLevels {
        var levels = MerkleLevels()
        var expected: Int64 = 1
        let rows = try await client.query(
            "SELECT seq, entry_hash FROM ledger_entries WHERE chain_id = \(chain) AND seq <= \(treeSize) ORDER BY seq", logger: logger)
        for try await (seq, hash) in rows.decode((Int64, ByteBuffer).self) {
            guard seq == expected, hash.readableBytes == 32 else { break }
            levels.append(leafHash: EntryHash.merkleLeaf(entryHash: Array(buffer: hash)))
            expected += 1
        }
        return levels
    }

    /// The selected entries with their proofs. The query narrows by the index columns; each entry is then read
    /// and kept only if it is itself in the selection.
    private func selectedEntries(
        _ selection: AuditBundle.Selection, through treeSize: Int64, levels: MerkleLevels
    ) async throws -> [AuditBundle.Entry] {
        let patient = selection.patient
        let rows = try await client.query(
            """
            SELECT seq, canonical, entry_hash, key_id, signature FROM ledger_entries
            WHERE chain_id = \(chain) AND seq <= \(treeSize)
              AND (\(selection.from)::timestamptz IS NULL OR recorded_at >= \(selection.from))
              AND (\(selection.to)::timestamptz IS NULL OR recorded_at < \(selection.to))
              AND (\(patient)::text IS NULL OR subject_id = \(patient)
                   OR (subject_id IS NULL AND position(\(patient) IN convert_from(canonical, 'UTF8')) > 0))
            ORDER BY seq LIMIT \(Self.maximumEntries + 1)
            """, logger: logger)
        var entries: [AuditBundle.Entry] = []
        for try await (seq, canonical, hash, keyID, signature) in rows.decode((Int64, ByteBuffer, ByteBuffer, String, ByteBuffer).self) {
            let bytes = Array(buffer: canonical)
            if let patient {
                guard let entry = try? LedgerEntry(canonicalBytes: bytes), BundleVerification.concerns(entry, patient: patient) else { continue }
            }
            entries.append(AuditBundle.Entry(
                canonical: bytes, seq: seq, entryHash: Array(buffer: hash), keyID: keyID, signature: Array(buffer: signature),
                proof: try levels.inclusionProof(index: Int(seq - 1), treeSize: Int(treeSize))))
        }
        guard entries.count <= Self.maximumEntries else {
            throw APIError.badRequest("The selection holds more than \(Self.maximumEntries) entries; narrow it with from, to or patientId.")
        }
        return entries
    }

    /// Appends the `audit.export` entry; the bundle is not handed out if it cannot be recorded.
    private func record(_ selection: AuditBundle.Selection, entries: Int, treeSize: Int64, archive: [UInt8], by principal: Principal) async throws {
        var details: [String: JSONValue] = [
            "entries": .number(Double(entries)), "treeSize": .string(String(treeSize)),
            "bundleSha256": .string(Hex.encode(Array(SHA256.hash(data: archive)))),
        ]
        if let from = selection.from { details["from"] = .string(from.description) }
        if let to = selection.to { details["to"] = .string(to.description) }
        if let patient = selection.patient { details["patientId"] = .string(patient) }
        let scope = RequestScope.current
        let draft = EntryDraft(
            actor: principal.actor(clientAddress: scope?.clientAddress), action: "audit.export", resource: .init(type: "audit_bundle", id: "*"),
            purposeOfUse: "HCOMPL", requestID: scope?.requestID, payload: .clear(.object(details)))
        do {
            _ = try await writer.append(draft)
        } catch {
            logger.error("audit export could not be recorded; it is refused", metadata: ["error_type": "\(type(of: error))"])
            throw APIError.unavailable("The export could not be recorded in the ledger, so no bundle is returned. Try again shortly.")
        }
    }
}
