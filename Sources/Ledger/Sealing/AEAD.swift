import CSodium

/// XChaCha20-Poly1305 (IETF) through libsodium. 24-byte random nonces are safe to pick at random for the
/// lifetime of a key, which is why this construction is used rather than ChaCha20-Poly1305 with 12 bytes.
enum AEAD {
    static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8]) -> (nonce: [UInt8], ciphertext: [UInt8]) {
        let nonce = Sodium.randomBytes(nonceBytes)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var written: UInt64 = 0
        key.withUnsafeBytes { keyBytes in
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                &ciphertext, &written, plaintext, UInt64(plaintext.count), associatedData, UInt64(associatedData.count),
                nil, nonce, keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return (nonce, ciphertext)
    }

    static func open(_ ciphertext: [UInt8], nonce: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(SealingError) -> [UInt8] {
        guard nonce.count == nonceBytes else { throw .malformed("nonce must be \(nonceBytes) bytes") }
        guard ciphertext.count >= tagBytes else { throw .malformed("ciphertext shorter than its tag") }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count - tagBytes)
        var written: UInt64 = 0
        let status = key.withUnsafeBytes { keyBytes in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &plaintext, &written, nil, ciphertext, UInt64(ciphertext.count), associatedData,
                UInt64(associatedData.count), nonce, keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard status == 0 else { throw .openFailed }
        return plaintext
    }
}
