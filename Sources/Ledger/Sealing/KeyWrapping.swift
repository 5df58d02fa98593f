/// Wraps data keys under the key-encryption key (KEK) for storage. The associated data binds the wrapped key
/// to its chain, subject and key id, so a wrapped key copied to another patient's row does not unwrap.
public enum KeyWrapping {
    /// A data key as stored: the same sealed form as a payload (key id, nonce, ciphertext with its tag).
    public typealias WrappedKey = SealedPayload

    static func associatedData(chain: String, subject: String, keyID: String) -> [UInt8] {
        let context: JSONValue = ["chain": .string(chain), "keyId": .string(keyID), "subject": .string(subject)]
        return Array("PHI-LEDGER-DATA-KEY-V1".utf8) + [0] + (try! JCS.canonicalize(context))
    }

    public static func wrap(_ key: DataKey, with kek: KeyEncryptionKey, chain: String, subject: String) -> WrappedKey {
        var plaintext = key.secret.withUnsafeBytes { Array($0) }
        defer { Sodium.wipe(&plaintext) }
        let (nonce, ciphertext) = AEAD.seal(
            plaintext, key: kek.secret, associatedData: associatedData(chain: chain, subject: subject, keyID: key.keyID))
        return WrappedKey(keyID: key.keyID, nonce: nonce, ciphertext: ciphertext)
    }

    public static func unwrap(_ wrapped: WrappedKey, with kek: KeyEncryptionKey, chain: String, subject: String) throws(SealingError) -> DataKey {
        var bytes = try AEAD.open(
            wrapped.ciphertext, nonce: wrapped.nonce, key: kek.secret,
            associatedData: associatedData(chain: chain, subject: subject, keyID: wrapped.keyID))
        defer { Sodium.wipe(&bytes) }
        return DataKey(keyID: wrapped.keyID, secret: SecretBytes(copying: bytes))
    }
}
