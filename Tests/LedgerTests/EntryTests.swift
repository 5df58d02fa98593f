import Foundation
import Testing
@testable import Ledger

@Suite("Ledger entries: canonical form, hash chain, signatures")
struct EntryTests {
    let key = Ed25519SigningKey.generate()

    @Test("an entry round-trips through its canonical bytes, and those bytes are the only accepted encoding")
    func canonicalRoundTrip() throws {
        let entry = TestChain.entry(seq: 7, prev: [UInt8](repeating: 3, count: 32))
        let bytes = entry.canonicalBytes()
        #expect(try LedgerEntry(canonicalBytes: bytes) == entry)
        // The same JSON with whitespace is not canonical.
        let spaced = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: spaced) }
    }

    @Test("unknown or missing fields are rejected")
    func strictFields() throws {
        var json = TestChain.entry(seq: 1, prev: genesisPrevHash).jsonValue.objectValue!
        json["extra"] = "x"
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(json: .object(json)) }
        json.removeValue(forKey: "extra")
        json.removeValue(forKey: "outcome")
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(json: .object(json)) }
    }

    @Test("a valid chain verifies entry by entry")
    func validChainVerifies() {
        let chain = TestChain.make(count: 20, key: key)
        var previous = genesisPrevHash
        for (offset, signed) in chain.enumerated() {
            #expect(EntryVerification.verify(signed, chain: "main", expectedSeq: Int64(offset + 1), previousHash: previous,
                                              trustedKeys: [key.keyID: key.publicKey]) == nil)
            previous = signed.entryHash
        }
    }

    @Test("a modified entry fails its hash check")
    func modifiedEntry() {
        let signed = TestChain.make(count: 1, key: key)[0]
        var bytes = signed.canonicalBytes
        bytes[bytes.count / 2] ^= 0x01
        #expect(EntryVerification.checkHash(canonicalBytes: bytes, storedHash: signed.entryHash) == .hashMismatch)
        let tampered = SignedEntry(entry: signed.entry, canonicalBytes: bytes, entryHash: signed.entryHash, keyID: signed.keyID, signature: signed.signature)
        #expect(EntryVerification.verify(tampered, chain: "main", expectedSeq: 1, previousHash: genesisPrevHash,
                                          trustedKeys: [key.keyID: key.publicKey]) == .hashMismatch)
    }

    @Test("a deleted, inserted or reordered entry breaks the sequence or the link")
    func brokenLinks() {
        let chain = TestChain.make(count: 3, key: key)
        // Entry 2 deleted: entry 3 arrives where 2 was expected.
        #expect(EntryVerification.checkLink(chain[2].entry, chain: "main", expectedSeq: 2, previousHash: chain[0].entryHash)
                == .seqGap(expected: 2, found: 3))
        // A forged entry 2 with the right seq but another prev.
        let forged = TestChain.entry(seq: 2, prev: [UInt8](repeating: 9, count: 32))
        #expect(EntryVerification.checkLink(forged, chain: "main", expectedSeq: 2, previousHash: chain[0].entryHash) == .brokenLink)
        #expect(EntryVerification.checkLink(chain[1].entry, chain: "other", expectedSeq: 2, previousHash: chain[0].entryHash)
                == .wrongChain(expected: "other", found: "main"))
    }

    @Test("a signature by an untrusted key, or a bad signature, is found")
    func signatureFindings() {
        let signed = TestChain.make(count: 1, key: key)[0]
        let stranger = Ed25519SigningKey.generate()
        #expect(EntryVerification.checkSignature(entryHash: signed.entryHash, keyID: signed.keyID, signature: signed.signature,
                                                  trustedKeys: [stranger.keyID: stranger.publicKey]) == .unknownKey(signed.keyID))
        var signature = signed.signature
        signature[10] ^= 0x40
        #expect(EntryVerification.checkSignature(entryHash: signed.entryHash, keyID: signed.keyID, signature: signature,
                                                  trustedKeys: [key.keyID: key.publicKey]) == .badSignature)
        // A key id that claims to be ours, over another public key.
        #expect(EntryVerification.checkSignature(entryHash: signed.entryHash, keyID: signed.keyID, signature: signed.signature,
                                                  trustedKeys: [key.keyID: stranger.publicKey]) == .badSignature)
    }

    @Test("the entry hash is domain-separated SHA-256 over the canonical bytes")
    func hashDefinition() {
        let bytes = Array("{}".utf8)
        // SHA-256("PHI-LEDGER-ENTRY-V1\0{}"), computed independently with: printf 'PHI-LEDGER-ENTRY-V1\0{}' | sha256sum
        #expect(Hex.encode(EntryHash.of(canonicalBytes: bytes)) == Self.expectedPrefixedHashOfBraces)
        // A slice of a larger buffer (as the verifier hashes a COPY tuple's field) and a sequence without contiguous
        // storage hash the same bytes.
        let tuple = Array("xx{}yy".utf8)
        #expect(Hex.encode(EntryHash.of(canonicalBytes: tuple[2..<4])) == Self.expectedPrefixedHashOfBraces)
        #expect(Hex.encode(EntryHash.of(canonicalBytes: "{}".utf8.lazy.map { $0 })) == Self.expectedPrefixedHashOfBraces)
    }

    static let expectedPrefixedHashOfBraces = "0c2e4374e98d525e7a9af858083b6eb8b2e054b4416b90d686a3f73b7d9fa906"

    @Test("a rotation entry signed by the old key introduces the new key; a forged one does not")
    func keyRotation() {
        let newKey = Ed25519SigningKey.generate()
        var entry = TestChain.entry(seq: 5, prev: genesisPrevHash, action: KeyRotation.action)
        entry.payload = KeyRotation.payload(chain: "main", oldKey: key, newKey: newKey)
        #expect(KeyRotation.introducedKey(by: entry, signedBy: key.keyID) == newKey.publicKey)
        // Claimed by another signer.
        #expect(KeyRotation.introducedKey(by: entry, signedBy: newKey.keyID) == nil)
        // A rotation whose proof was not made by the new key.
        let impostor = Ed25519SigningKey.generate()
        var forged = entry
        forged.payload = KeyRotation.payload(chain: "main", oldKey: key, newKey: impostor)
        if case .clear(var fields) = forged.payload {
            fields = .object(fields.objectValue!.merging(["newPublicKey": .string(Hex.encode(newKey.publicKey.bytes)),
                                                          "newKeyId": .string(newKey.keyID)]) { _, new in new })
            forged.payload = .clear(fields)
        }
        #expect(KeyRotation.introducedKey(by: forged, signedBy: key.keyID) == nil)
    }
}

@Suite("The direct canonical writer")
struct CanonicalWriterTests {
    @Test("writes exactly the RFC 8785 form of the entry's JSON, for every shape of entry")
    func matchesGenericCanonicalisation() throws {
        var entries: [LedgerEntry] = []
        for seq in Int64(1)...40 {
            var entry = TestChain.entry(seq: seq, prev: [UInt8](repeating: UInt8(seq), count: 32))
            switch seq % 5 {
            case 0: entry.actor = nil; entry.resource = nil; entry.subject = nil; entry.payload = .none
            case 1: entry.payload = .sealed(SealedPayload(keyID: "ab", nonce: Array(repeating: 1, count: 24), ciphertext: Array(0..<UInt8(seq))))
            case 2: entry.payload = .clear(["z": 1.5, "a": ["\u{1F600}": true, "é": .null], "n": -0.000001])
            case 3: entry.actor?.clientAddress = nil; entry.purposeOfUse = nil; entry.requestID = "quote\"and\\slash\n\u{01}"
            default: entry.action = "名前.update"; entry.outcome = .denied
            }
            entry.recordedAt = LedgerTimestamp(microsecondsSinceEpoch: -86_400_000_000 + seq * 31_536_000_123_457)
            entries.append(entry)
        }
        for entry in entries {
            #expect(entry.canonicalBytes() == (try JCS.canonicalize(entry.jsonValue)), "seq \(entry.seq)")
            #expect(try LedgerEntry(canonicalBytes: entry.canonicalBytes()) == entry)
        }
    }
}
