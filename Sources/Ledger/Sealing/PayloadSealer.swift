/// Seals and opens entry payloads. The associated data binds each ciphertext to its chain, its subject, its
/// entry id and the data key id, so a ciphertext moved to another entry or patient fails to open.
public enum PayloadSealer {
    /// The associated data: `"PHI-LEDGER-PAYLOAD-V1\0"` followed by the canonical JSON of
    /// `{"chain":…,"entryId":…,"keyId":…,"subject":…}`.
    public static func associatedData(chain: String, subject: String, entryID: String, keyID: String) -> [UInt8] {
        let context: JSONValue = ["chain": .string(chain), "entryId": .string(entryID), "keyId": .string(keyID), "subject": .string(subject)]
        return Array("PHI-LEDGER-PAYLOAD-V1".utf8) + [0] + (try! JCS.canonicalize(context))
    }

    /// Seals `plaintext` (the canonical JSON of what changed) for one entry.
    public static func seal(_ plaintext: [UInt8], key: DataKey, chain: String, subject: String, entryID: String) -> SealedPayload {
        let aad = associatedData(chain: chain, subject: subject, entryID: entryID, keyID: key.keyID)
        let (nonce, ciphertext) = AEAD.seal(plaintext, key: key.secret, associatedData: aad)
        return SealedPayload(keyID: key.keyID, nonce: nonce, ciphertext: ciphertext)
    }

    /// Opens a sealed payload of the entry `entry`; fails when the key, the context or any byte is wrong.
    public static func open(_ sealed: SealedPayload, key: DataKey, chain: String, subject: String, entryID: String) throws(SealingError) -> [UInt8] {
        guard sealed.keyID == key.keyID else { throw .openFailed }
        let aad = associatedData(chain: chain, subject: subject, entryID: entryID, keyID: key.keyID)
        return try AEAD.open(sealed.ciphertext, nonce: sealed.nonce, key: key.secret, associatedData: aad)
    }

    /// Opens a sealed payload and parses its JSON, wiping the plaintext bytes afterwards; for readers (replay,
    /// reports) that want the fields rather than the bytes.
    public static func openJSON(_ sealed: SealedPayload, key: DataKey, chain: String, subject: String, entryID: String) throws(SealingError)
        -> JSONValue {
        var plaintext = try open(sealed, key: key, chain: chain, subject: subject, entryID: entryID)
        defer { Sodium.wipe(&plaintext) }
        do { return try JSONParser.parse(plaintext) } catch { throw .malformed("the opened payload is not JSON") }
    }
}
