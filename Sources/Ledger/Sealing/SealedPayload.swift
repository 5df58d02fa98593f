/// A payload sealed with XChaCha20-Poly1305 (IETF). The ciphertext carries the 16-byte tag at its end.
public struct SealedPayload: Sendable, Equatable {
    /// Always `XChaCha20-Poly1305`.
    public static let algorithm = "XChaCha20-Poly1305"
    /// Which of the subject's data keys sealed it.
    public var keyID: String
    /// 24 random bytes.
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]

    public init(keyID: String, nonce: [UInt8], ciphertext: [UInt8]) {
        self.keyID = keyID
        self.nonce = nonce
        self.ciphertext = ciphertext
    }
}
