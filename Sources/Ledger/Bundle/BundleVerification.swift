import Crypto
import Foundation

/// Checks an audit bundle offline: the archive's canonical form, the manifest's file hashes and signature, the
/// checkpoint's signature, and for every entry its hash, canonical form, signature and inclusion proof to the
/// checkpoint's root, and that it lies within the selection the manifest states. Needs only trusted keys.
public enum BundleVerification {
    public struct Report: Sendable {
        public var chain: String?
        public var producer: String?
        public var createdAt: String?
        public var selection: [String: String] = [:]
        public var treeSize: Int64?
        public var entries = 0
        public var signerKeyID: String?
        /// What is wrong, each naming the file and, for an entry, its line and seq.
        public var findings: [String] = []
        public var intact: Bool { findings.isEmpty }
    }

    /// Verifies `archive`. Entries and the checkpoint must be signed by `ledgerKeys`; the manifest by a key in
    /// `ledgerKeys` (a gateway export) or `signerKeys` (a verifier export).
    public static func verify(
        _ archive: [UInt8], ledgerKeys: [String: Ed25519PublicKey], signerKeys: [String: Ed25519PublicKey] = [:]
    ) -> Report {
        var report = Report()
        let files: [String: [UInt8]]
        do { files = try BundleArchive.read(archive) } catch {
            report.findings.append("archive: \(error)")
            return report
        }
        guard let manifestBytes = files["manifest.json"], let manifest = try? JSONParser.parse(manifestBytes),
              (try? JCS.canonicalize(manifest)) == manifestBytes, manifest["format"]?.stringValue == AuditBundle.format
        else {
            report.findings.append("manifest.json: not a \(AuditBundle.format) manifest in canonical JSON")
            return report
        }
        report.chain = manifest["chain"]?.stringValue
        report.producer = manifest["producer"]?.stringValue
        report.createdAt = manifest["createdAt"]?.stringValue
        report.treeSize = manifest["treeSize"]?.integerValue
        report.signerKeyID = manifest["signerKeyId"]?.stringValue
        for (key, value) in manifest["selection"]?.objectValue ?? [:] { report.selection[key] = value.stringValue }

        checkSignature(manifestBytes, files["manifest.sig"] ?? [], ledgerKeys: ledgerKeys, signerKeys: signerKeys, into: &report)
        checkFileHashes(manifest, files, into: &report)
        let checkpoint = checkCheckpoint(files["checkpoint.txt"] ?? [], ledgerKeys: ledgerKeys, into: &report)
        checkEntries(files, manifest: manifest, checkpoint: checkpoint, ledgerKeys: ledgerKeys, into: &report)
        return report
    }

    private static func checkSignature(
        _ manifest: [UInt8], _ signatureFile: [UInt8], ledgerKeys: [String: Ed25519PublicKey], signerKeys: [String: Ed25519PublicKey],
        into report: inout Report
    ) {
        let fields = String(decoding: signatureFile, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == "ed25519", String(decoding: signatureFile.suffix(1), as: UTF8.self) == "\n",
              let signature = Hex.decode(String(fields[2].dropLast()))
        else {
            report.findings.append("manifest.sig: not an `ed25519 <key id> <signature>` line")
            return
        }
        let keyID = String(fields[1])
        guard keyID == report.signerKeyID else {
            report.findings.append("manifest.sig: signed by key \(keyID.prefix(16))…, not the signer the manifest names")
            return
        }
        guard let key = signerKeys[keyID] ?? ledgerKeys[keyID] else {
            report.findings.append("manifest.sig: the signer \(keyID.prefix(16))… is not a trusted key")
            return
        }
        if !key.isValidSignature(signature, for: AuditBundle.signingPrefix + manifest) {
            report.findings.append("manifest.sig: the signature does not verify: the manifest was changed after it was signed")
        }
    }

    private static func checkFileHashes(_ manifest: JSONValue, _ files: [String: [UInt8]], into report: inout Report) {
        let listed = manifest["files"]?.arrayValue ?? []
        let expected = Array(BundleArchive.fileNames.dropFirst(2))
        guard listed.compactMap({ $0["name"]?.stringValue }) == expected else {
            report.findings.append("manifest.json: does not list the bundle's files")
            return
        }
        for (entry, name) in zip(listed, expected) {
            let bytes = files[name] ?? []
            if entry["sha256"]?.stringValue != Hex.encode(Array(SHA256.hash(data: bytes))) || entry["bytes"]?.integerValue != Int64(bytes.count) {
                report.findings.append("\(name): its SHA-256 or size is not the one in the manifest")
            }
        }
    }

    private static func checkCheckpoint(_ bytes: [UInt8], ledgerKeys: [String: Ed25519PublicKey], into report: inout Report) -> Checkpoint? {
        let note = String(decoding: bytes, as: UTF8.self)
        guard let end = note.range(of: "\n\n"), let unverified = try? Checkpoint.parse(body: String(note[..<end.lowerBound]) + "\n") else {
            report.findings.append("checkpoint.txt: not a checkpoint note")
            return nil
        }
        let keys = ledgerKeys.values.compactMap { try? Checkpoint.verifierKey(origin: unverified.origin, publicKey: $0) }
        guard let checkpoint = try? Checkpoint.open(note, keys: keys) else {
            report.findings.append("checkpoint.txt: the signature does not verify under a trusted ledger key")
            return nil
        }
        if checkpoint.treeSize != report.treeSize {
            report.findings.append("checkpoint.txt: covers \(checkpoint.treeSize) entries, the manifest says \(report.treeSize ?? -1)")
        }
        return checkpoint
    }

    private static func checkEntries(
        _ files: [String: [UInt8]], manifest: JSONValue, checkpoint: Checkpoint?, ledgerKeys: [String: Ed25519PublicKey],
        into report: inout Report
    ) {
        let entries = lines(files["entries.jsonl"] ?? [])
        let signatures = lines(files["signatures.jsonl"] ?? [])
        let proofs = lines(files["proofs.jsonl"] ?? [])
        report.entries = entries.count
        guard entries.count == signatures.count, entries.count == proofs.count,
              Int64(entries.count) == manifest["entries"]?.integerValue
        else {
            report.findings.append("entries.jsonl: \(entries.count) entries, \(signatures.count) signatures and \(proofs.count) proofs; the manifest says \(manifest["entries"]?.integerValue ?? -1)")
            return
        }
        let from = report.selection["from"].flatMap(LedgerTimestamp.init(parsing:))
        let to = report.selection["to"].flatMap(LedgerTimestamp.init(parsing:))
        let patient = report.selection["patient"]
        var previousSeq: Int64 = 0
        for (index, (bytes, (signatureLine, proofLine))) in zip(entries, zip(signatures, proofs)).enumerated() {
            let place = "entries.jsonl line \(index + 1)"
            guard let entry = try? LedgerEntry(canonicalBytes: bytes), entry.canonicalBytes() == bytes else {
                report.findings.append("\(place): not a ledger entry in canonical form")
                continue
            }
            let at = "\(place) (seq \(entry.seq))"
            guard let signed = try? JSONParser.parse(signatureLine), let proof = try? JSONParser.parse(proofLine),
                  signed["seq"]?.integerValue == entry.seq, proof["seq"]?.integerValue == entry.seq,
                  let hash = signed["entryHash"]?.stringValue.flatMap(Hex.decode), let keyID = signed["keyId"]?.stringValue,
                  let signature = signed["signature"]?.stringValue.flatMap(Hex.decode)
            else {
                report.findings.append("\(at): its signature or proof line is missing or for another entry")
                continue
            }
            if entry.seq <= previousSeq { report.findings.append("\(at): entries are not in seq order") }
            previousSeq = entry.seq
            if entry.chain != report.chain { report.findings.append("\(at): from chain \(entry.chain), not \(report.chain ?? "?")") }
            if let problem = EntryVerification.checkHash(canonicalBytes: bytes, storedHash: hash) {
                report.findings.append("\(at): \(problem)")
                continue
            }
            if let problem = EntryVerification.checkSignature(entryHash: hash, keyID: keyID, signature: signature, trustedKeys: ledgerKeys) {
                report.findings.append("\(at): \(problem)")
            }
            if let checkpoint {
                let path = (proof["path"]?.arrayValue ?? []).map { $0.stringValue.flatMap(Hex.decode) ?? [] }
                if proof["leafIndex"]?.integerValue != entry.seq - 1 || proof["treeSize"]?.integerValue != checkpoint.treeSize {
                    report.findings.append("\(at): its proof is not for leaf \(entry.seq - 1) of the checkpoint's tree")
                } else if (try? MerkleVerification.verifyInclusion(
                    leafHash: EntryHash.merkleLeaf(entryHash: hash), index: Int(entry.seq - 1), treeSize: Int(checkpoint.treeSize),
                    proof: path, root: checkpoint.rootHash)) == nil {
                    report.findings.append("\(at): its inclusion proof does not lead to the checkpoint's root")
                }
            }
            if let from, entry.recordedAt < from { report.findings.append("\(at): recorded before the selection's start") }
            if let to, entry.recordedAt >= to { report.findings.append("\(at): recorded after the selection's end") }
            if let patient, !concerns(entry, patient: patient) { report.findings.append("\(at): not about the selected patient") }
        }
    }

    /// Whether `entry` is about `patient`: its subject, or one of the patients its clear payload lists.
    public static func concerns(_ entry: LedgerEntry, patient: String) -> Bool {
        if entry.subject == patient { return true }
        guard entry.subject == nil, case .clear(let payload) = entry.payload else { return false }
        return payload["patients"]?.arrayValue?.contains { $0.stringValue == patient } == true
    }

    /// The lines of a file that ends each line with a newline.
    private static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        guard !bytes.isEmpty else { return [] }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() } else { lines.append([]) }
        return lines
    }
}
