import Foundation
import Testing
@testable import Ledger

/// docs/ledger-format.md's worked example must be exactly what the code produces, so that someone verifying in
/// another language can trust every byte on that page.
@Suite("The ledger format document's worked example")
struct LedgerFormatDocumentTests {
    /// RFC 8032 TEST 1's secret key: public, so that anyone can reproduce the signature.
    static let seedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

    static func exampleEntry() -> LedgerEntry {
        LedgerEntry(
            chain: "main", seq: 1, prev: genesisPrevHash, id: "0b3e9a4c-6f1d-4c52-9a1e-2d7f8c6b5a41",
            recordedAt: LedgerTimestamp(parsing: "2026-11-21T19:31:36.123456Z")!,
            actor: .init(userID: "u-7f3a", roles: ["clinician"], sessionID: "s-91c2", authMethods: ["pwd", "hwk"], clientAddress: "10.1.2.3"),
            action: "patient.read", resource: .init(type: "patient", id: "p-1001"), subject: "p-1001", purposeOfUse: "TREAT",
            policyVersion: String(repeating: "0", count: 64), requestID: "req-5e21", outcome: .success, payload: .none)
    }

    static var documentPath: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/ledger-format.md")
    }

    @Test("every value in the worked example is what the code computes")
    func workedExampleMatches() throws {
        let document = try String(contentsOf: Self.documentPath, encoding: .utf8)
        let key = try Ed25519SigningKey(seed: Hex.decode(Self.seedHex)!)
        let signed = SignedEntry(signing: Self.exampleEntry(), with: key)
        let values: [(String, String)] = [
            ("secret key seed", Self.seedHex),
            ("public key", Hex.encode(key.publicKey.bytes)),
            ("key id", key.keyID),
            ("canonical bytes", String(decoding: signed.canonicalBytes, as: UTF8.self)),
            ("entry hash", Hex.encode(signed.entryHash)),
            ("signature", Hex.encode(signed.signature)),
            ("Merkle leaf hash", Hex.encode(EntryHash.merkleLeaf(entryHash: signed.entryHash))),
        ]
        for (name, value) in values {
            #expect(document.contains(value), "docs/ledger-format.md does not show the \(name): \(value)")
        }
        // The checkpoint over this one-entry chain, signed with the same key.
        let checkpoint = Checkpoint(
            origin: "ledger.example.org/main", treeSize: 1, rootHash: EntryHash.merkleLeaf(entryHash: signed.entryHash),
            headHash: signed.entryHash, time: LedgerTimestamp(parsing: "2026-11-21T19:31:37.000000Z")!)
        let note = checkpoint.signedNote(with: key)
        #expect(document.contains(note), "docs/ledger-format.md does not show the checkpoint note:\n\(note)")
    }
}
