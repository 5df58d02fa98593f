import Foundation

/// The key-encryption key (KEK): 32 random bytes that wrap every per-subject data key. Stored as one line of
/// base64 in a 0600 file or given in the environment.
public final class KeyEncryptionKey: Sendable {
    /// The KEK length in bytes (XChaCha20-Poly1305 key size).
    public static let byteCount = 32

    let secret: SecretBytes

    /// Reads the base64 text form; surrounding whitespace is ignored.
    public init(base64Text: String) throws {
        let trimmed = base64Text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decoded = Data(base64Encoded: trimmed) else {
            throw KeyMaterialError.malformed("the key-encryption key is not base64")
        }
        var bytes = [UInt8](decoded)
        defer { Sodium.wipe(&bytes) }
        guard bytes.count == Self.byteCount else {
            throw KeyMaterialError.unsupported("the key-encryption key must be \(Self.byteCount) bytes, got \(bytes.count)")
        }
        self.secret = SecretBytes(copying: bytes)
    }

    private init(secret: SecretBytes) {
        self.secret = secret
    }

    /// A fresh random KEK.
    public static func generate() -> KeyEncryptionKey {
        var bytes = Sodium.randomBytes(byteCount)
        defer { Sodium.wipe(&bytes) }
        return KeyEncryptionKey(secret: SecretBytes(copying: bytes))
    }

    /// The text to store in the key file. It holds the secret: write it to a 0600 file and drop it.
    public func base64Text() -> String {
        secret.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
    }
}
