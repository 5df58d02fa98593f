import CSodium
import Crypto
import Foundation

/// An Ed25519 public key: verifies signatures and names keys by their SHA-256 digest.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Accepts exactly 32 bytes.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == Int(crypto_sign_PUBLICKEYBYTES) else {
            throw KeyMaterialError.unsupported("an Ed25519 public key is 32 bytes, got \(bytes.count)")
        }
        self.bytes = Array(bytes)
    }

    init(uncheckedBytes: [UInt8]) {
        self.bytes = uncheckedBytes
    }

    /// SHA-256 of the raw public key, lowercase hex: the key id stored beside every signature.
    public var keyID: String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    /// Verifies a detached signature. Fails closed on any malformed input.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: some ContiguousBytes) -> Bool {
        Sodium.ensureInitialised()
        let sig = Array(signature)
        guard sig.count == Int(crypto_sign_BYTES) else { return false }
        return message.withUnsafeBytes { messageBytes in
            crypto_sign_verify_detached(
                sig, messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(messageBytes.count),
                bytes) == 0
        }
    }
}
