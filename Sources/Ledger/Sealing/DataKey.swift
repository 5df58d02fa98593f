import CSodium

/// A per-subject data key: 32 random bytes that seal that patient's payloads. Destroying its wrapped copy
/// (crypto-shredding) makes every payload sealed under it unreadable while the chain still verifies.
public final class DataKey: Sendable {
    /// A random 128-bit identifier, hex; recorded in each sealed payload.
    public let keyID: String
    let secret: SecretBytes

    init(keyID: String, secret: SecretBytes) {
        self.keyID = keyID
        self.secret = secret
    }

    /// A fresh random key.
    public static func generate() -> DataKey {
        var bytes = Sodium.randomBytes(Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
        defer { Sodium.wipe(&bytes) }
        return DataKey(keyID: newKeyID(), secret: SecretBytes(copying: bytes))
    }

    /// A fresh random key id, in the form `keyID` has; also what a subject shredded before any key was made for
    /// them is recorded under.
    public static func newKeyID() -> String { Hex.encode(Sodium.randomBytes(16)) }
}

/// Why sealing or opening failed. Opening reports one reason for every failure so it leaks nothing.
public enum SealingError: Error, Equatable, CustomStringConvertible {
    case openFailed
    case malformed(String)

    public var description: String {
        switch self {
        case .openFailed: "the payload could not be opened with this key and context (wrong key, moved or modified)"
        case .malformed(let why): "malformed sealed data: \(why)"
        }
    }
}
