import Testing
@testable import Ledger

@Suite("Sealed PHI payloads and wrapped data keys")
struct SealingTests {
    let plaintext = Array(#"{"name":"Jane Example","dob":"1970-01-01"}"#.utf8)

    @Test("a sealed payload opens with its key and context")
    func roundTrip() throws {
        let key = DataKey.generate()
        let sealed = PayloadSealer.seal(plaintext, key: key, chain: "main", subject: "p1", entryID: "e1")
        #expect(sealed.nonce.count == 24)
        #expect(sealed.ciphertext.count == plaintext.count + 16)
        #expect(!sealed.ciphertext.starts(with: plaintext.prefix(8)))
        #expect(try PayloadSealer.open(sealed, key: key, chain: "main", subject: "p1", entryID: "e1") == plaintext)
    }

    @Test("it does not open with another key, nor when moved to another entry, subject or chain")
    func boundToContext() {
        let key = DataKey.generate()
        let sealed = PayloadSealer.seal(plaintext, key: key, chain: "main", subject: "p1", entryID: "e1")
        #expect(throws: SealingError.openFailed) { try PayloadSealer.open(sealed, key: DataKey.generate(), chain: "main", subject: "p1", entryID: "e1") }
        #expect(throws: SealingError.openFailed) { try PayloadSealer.open(sealed, key: key, chain: "main", subject: "p1", entryID: "e2") }
        #expect(throws: SealingError.openFailed) { try PayloadSealer.open(sealed, key: key, chain: "main", subject: "p2", entryID: "e1") }
        #expect(throws: SealingError.openFailed) { try PayloadSealer.open(sealed, key: key, chain: "other", subject: "p1", entryID: "e1") }
        var flipped = sealed
        flipped.ciphertext[0] ^= 1
        #expect(throws: SealingError.openFailed) { try PayloadSealer.open(flipped, key: key, chain: "main", subject: "p1", entryID: "e1") }
    }

    @Test("data keys wrap under the KEK, unwrap for their own subject only, and not under another KEK")
    func keyWrapping() throws {
        let kek = KeyEncryptionKey.generate()
        let key = DataKey.generate()
        let wrapped = KeyWrapping.wrap(key, with: kek, chain: "main", subject: "p1")
        let unwrapped = try KeyWrapping.unwrap(wrapped, with: kek, chain: "main", subject: "p1")
        let sealed = PayloadSealer.seal(plaintext, key: key, chain: "main", subject: "p1", entryID: "e1")
        #expect(try PayloadSealer.open(sealed, key: unwrapped, chain: "main", subject: "p1", entryID: "e1") == plaintext)
        #expect(throws: SealingError.openFailed) { try KeyWrapping.unwrap(wrapped, with: kek, chain: "main", subject: "p2") }
        #expect(throws: SealingError.openFailed) { try KeyWrapping.unwrap(wrapped, with: KeyEncryptionKey.generate(), chain: "main", subject: "p1") }
    }

    @Test("a sealed entry still hashes and verifies without any key")
    func chainVerifiesWithoutKeys() {
        let signing = Ed25519SigningKey.generate()
        var entry = TestChain.entry(seq: 1, prev: genesisPrevHash)
        entry.payload = .sealed(PayloadSealer.seal(plaintext, key: DataKey.generate(), chain: "main", subject: "patient-1", entryID: entry.id))
        let signed = SignedEntry(signing: entry, with: signing)
        #expect(EntryVerification.verify(signed, chain: "main", expectedSeq: 1, previousHash: genesisPrevHash,
                                          trustedKeys: [signing.keyID: signing.publicKey]) == nil)
        #expect(!String(decoding: signed.canonicalBytes, as: UTF8.self).contains("Jane"))
    }
}
