/// Bytes sealed with XChaCha20-Poly1305 (IETF): an entry payload, or a data key wrapped by the KEK. The
/// ciphertext carries the 16-byte tag at its end.
public struct SealedPayload: Sendable, Equatable {
    /// Always `XChaCha20-Poly1305`.
    public static let algorithm = "XChaCha20-Poly1305"
    /// For a payload, the data key that sealed it; for a wrapped key, that key's own id.
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
