import CSodium
import Foundation

/// An Ed25519 private key (libsodium), used to sign ledger entries, checkpoints and attestations.
///
/// The 64-byte libsodium secret key lives in guarded memory and is wiped when the key is released.
public final class Ed25519SigningKey: Sendable {
    private let secretKey: SecretBytes
    /// The 32-byte public key.
    public let publicKey: Ed25519PublicKey

    /// Derives the key pair from a 32-byte seed (the form PKCS#8 and RFC 8032 store).
    public init(seed: some Collection<UInt8>) throws {
        Sodium.ensureInitialised()
        var seedBytes = Array(seed)
        defer { Sodium.wipe(&seedBytes) }
        guard seedBytes.count == Int(crypto_sign_SEEDBYTES) else {
            throw KeyMaterialError.unsupported("an Ed25519 seed is 32 bytes, got \(seedBytes.count)")
        }
        var pk = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        defer { Sodium.wipe(&sk) }
        guard crypto_sign_seed_keypair(&pk, &sk, seedBytes) == 0 else {
            throw KeyMaterialError.malformed("libsodium rejected the seed")
        }
        self.secretKey = SecretBytes(copying: sk)
        self.publicKey = Ed25519PublicKey(uncheckedBytes: pk)
    }

    /// A new random key.
    public static func generate() -> Ed25519SigningKey {
        var seed = Sodium.randomBytes(Int(crypto_sign_SEEDBYTES))
        defer { Sodium.wipe(&seed) }
        // A 32-byte seed is always accepted.
        return try! Ed25519SigningKey(seed: seed)
    }

    /// The key's identifier: SHA-256 of the public key, lowercase hex.
    public var keyID: String { publicKey.keyID }

    /// Signs `message`, returning the 64-byte detached signature.
    public func sign(_ message: some ContiguousBytes) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        message.withUnsafeBytes { messageBytes in
            secretKey.withUnsafeBytes { sk in
                _ = crypto_sign_detached(
                    &signature, nil,
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(messageBytes.count),
                    sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return signature
    }

    /// The seed, for writing the key to a file; the caller must wipe the returned bytes.
    func exportSeed() -> [UInt8] {
        secretKey.withUnsafeBytes { Array($0.prefix(Int(crypto_sign_SEEDBYTES))) }
    }
}
