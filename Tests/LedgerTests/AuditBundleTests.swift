import Testing
@testable import Ledger

/// A small chain, checkpointed, and a bundle of some of its entries.
private struct BundleFixture {
    let key = Ed25519SigningKey.generate()
    let exporter = Ed25519SigningKey.generate()
    let patient = "00000000-0000-0000-0000-0000000000c1"
    var chain: [SignedEntry] = []
    var levels = MerkleLevels()

    init(count: Int = 12) {
        var prev = genesisPrevHash
        for seq in 1...Int64(count) {
            let entry = LedgerEntry(
                chain: "main", seq: seq, prev: prev, id: "entry-\(seq)", recordedAt: LedgerTimestamp(microsecondsSinceEpoch: seq * 1_000_000),
                actor: .init(userID: "u-1", roles: ["clinician"]), action: "patient.read", subject: seq % 3 == 0 ? patient : "someone-else",
                payload: .none)
            let signed = SignedEntry(signing: entry, with: key)
            chain.append(signed)
            levels.append(leafHash: EntryHash.merkleLeaf(entryHash: signed.entryHash))
            prev = signed.entryHash
        }
    }

    var checkpointNote: String {
        Checkpoint(
            origin: "hospital.example/main", treeSize: Int64(chain.count), rootHash: levels.root, headHash: chain.last!.entryHash,
            time: LedgerTimestamp(microsecondsSinceEpoch: 99_000_000)
        ).signedNote(with: key)
    }

    func bundle(selecting selected: [SignedEntry]? = nil) throws -> AuditBundle {
        let entries = try (selected ?? chain.filter { $0.entry.subject == patient }).map { signed in
            AuditBundle.Entry(
                canonical: signed.canonicalBytes, seq: signed.entry.seq, entryHash: signed.entryHash, keyID: signed.keyID,
                signature: signed.signature, proof: try levels.inclusionProof(index: Int(signed.entry.seq - 1), treeSize: chain.count))
        }
        return AuditBundle(
            chain: "main", createdAt: LedgerTimestamp(microsecondsSinceEpoch: 100_000_000), producer: "test", selection: .init(patient: patient),
            checkpointNote: checkpointNote, treeSize: Int64(chain.count), entries: entries, ledgerKeys: [key.publicKey])
    }

    var ledgerKeys: [String: Ed25519PublicKey] { [key.keyID: key.publicKey] }
    var signerKeys: [String: Ed25519PublicKey] { [exporter.keyID: exporter.publicKey] }
}

@Suite("audit bundles: written, read back, and refused when anything in them changes")
struct AuditBundleTests {
    @Test("a bundle of one patient's entries verifies offline with the ledger key and the exporter's key; the archive is reproducible")
    func verifies() throws {
        let fixture = BundleFixture()
        let bundle = try fixture.bundle()
        let archive = try bundle.archive(signedWith: fixture.exporter)
        #expect(try bundle.archive(signedWith: fixture.exporter) == archive)
        let report = BundleVerification.verify(archive, ledgerKeys: fixture.ledgerKeys, signerKeys: fixture.signerKeys)
        #expect(report.intact, "\(report.findings)")
        #expect(report.entries == 4 && report.treeSize == 12 && report.chain == "main" && report.selection == ["patient": fixture.patient])
        #expect(Set(try BundleArchive.read(archive).keys) == Set(BundleArchive.fileNames))
    }

    @Test("untrusted keys: the exporter unknown, or the ledger key not the one trusted")
    func untrusted() throws {
        let fixture = BundleFixture()
        let archive = try fixture.bundle().archive(signedWith: fixture.exporter)
        let noSigner = BundleVerification.verify(archive, ledgerKeys: fixture.ledgerKeys)
        #expect(noSigner.findings == ["manifest.sig: the signer \(fixture.exporter.keyID.prefix(16))… is not a trusted key"])
        let other = Ed25519SigningKey.generate()
        let wrongLedger = BundleVerification.verify(archive, ledgerKeys: [other.keyID: other.publicKey], signerKeys: fixture.signerKeys)
        #expect(wrongLedger.findings.contains("checkpoint.txt: the signature does not verify under a trusted ledger key"))
        #expect(wrongLedger.findings.filter { $0.contains("which is not in the trusted key set") }.count == 4, "\(wrongLedger.findings)")
    }

    @Test("an entry outside the selection, or a proof for another leaf, is a finding even when every signature is good")
    func selectionAndProofs() throws {
        let fixture = BundleFixture()
        var bundle = try fixture.bundle(selecting: Array(fixture.chain.prefix(3)))
        let outside = BundleVerification.verify(try bundle.archive(signedWith: fixture.exporter), ledgerKeys: fixture.ledgerKeys, signerKeys: fixture.signerKeys)
        #expect(outside.findings == [
            "entries.jsonl line 1 (seq 1): not about the selected patient", "entries.jsonl line 2 (seq 2): not about the selected patient",
        ])
        bundle = try fixture.bundle()
        bundle.entries[1].proof = bundle.entries[0].proof
        let wrongProof = BundleVerification.verify(try bundle.archive(signedWith: fixture.exporter), ledgerKeys: fixture.ledgerKeys, signerKeys: fixture.signerKeys)
        #expect(wrongProof.findings == ["entries.jsonl line 2 (seq 6): its inclusion proof does not lead to the checkpoint's root"])
    }

    @Test("changing any one byte of the archive, or cutting it short, makes it fail verification")
    func everyByte() throws {
        let fixture = BundleFixture(count: 5)
        let archive = try fixture.bundle().archive(signedWith: fixture.exporter)
        var passed: [Int] = []
        for index in archive.indices {
            var changed = archive
            changed[index] ^= 0x01
            if BundleVerification.verify(changed, ledgerKeys: fixture.ledgerKeys, signerKeys: fixture.signerKeys).intact { passed.append(index) }
        }
        #expect(passed.isEmpty, "bytes \(passed) could be changed unnoticed")
        let shortened = (0..<archive.count).filter {
            BundleVerification.verify(Array(archive.prefix($0)), ledgerKeys: fixture.ledgerKeys, signerKeys: fixture.signerKeys).intact
        }
        #expect(shortened.isEmpty)
    }
}
