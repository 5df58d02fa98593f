import Foundation
import Ledger
import Testing
@testable import Verifier

@Suite("attestations: signed, checked, and resumable")
struct AttestationTests {
    static func tree(_ leaves: Int) -> CompactRange {
        var tree = CompactRange()
        for n in 0..<leaves { tree.append(leafHash: MerkleHash.leaf([UInt8(n)])) }
        return tree
    }

    static func attestation(_ tree: CompactRange, verifier: Ed25519SigningKey) -> Attestation {
        Attestation(
            chain: "main", treeSize: Int64(tree.size), rootHash: tree.root, headHash: [UInt8](repeating: 9, count: 32), frontier: tree.hashes,
            trustedKeys: [Ed25519SigningKey.generate().publicKey], checks: ["entry hashes"], time: LedgerTimestamp(microsecondsSinceEpoch: 1),
            verifierKeyID: verifier.keyID)
    }

    @Test("a signed attestation opens with the verifier's key, and resumes with its tree")
    func roundTrip() throws {
        let verifier = Ed25519SigningKey.generate()
        let tree = Self.tree(13)
        let original = Self.attestation(tree, verifier: verifier)
        let opened = try Attestation.open(try original.signed(with: verifier), verifierKeys: [verifier.keyID: verifier.publicKey])
        #expect(opened == original)
        #expect(try opened.resumePoint().tree == tree)
    }

    @Test("an edited statement, an unknown signer, or a frontier that does not give the root is refused")
    func refusals() throws {
        let verifier = Ed25519SigningKey.generate()
        let keys = [verifier.keyID: verifier.publicKey]
        let signed = try Self.attestation(Self.tree(13), verifier: verifier).signed(with: verifier)
        let edited = Array(String(decoding: signed, as: UTF8.self).replacingOccurrences(of: "\"treeSize\":13", with: "\"treeSize\":12").utf8)
        #expect { try Attestation.open(edited, verifierKeys: keys) } throws: { "\($0)".contains("does not verify") }
        let stranger = Ed25519SigningKey.generate()
        #expect { try Attestation.open(signed, verifierKeys: [stranger.keyID: stranger.publicKey]) } throws: { "\($0)".contains("not trusted") }
        var wrongRoot = Self.attestation(Self.tree(13), verifier: verifier)
        wrongRoot.rootHash = Self.tree(12).root
        let opened = try Attestation.open(try wrongRoot.signed(with: verifier), verifierKeys: keys)
        #expect(throws: Attestation.Invalid.self) { try opened.resumePoint() }
    }
}
