import Crypto
import Foundation

extension KeyEncryptionKey {
    /// A keyed fingerprint of `message` (HMAC-SHA256 under a subkey derived from the KEK with HKDF-SHA256 for
    /// `purpose`). For values the database should be able to match but not reverse, such as the emails typed into
    /// failed sign-ins: without the KEK, a copy of the database cannot test guesses against them. The subkey
    /// never wraps data keys, so this use cannot weaken that one.
    public func fingerprint(_ message: some DataProtocol, purpose: String) -> [UInt8] {
        let subkey = secret.withUnsafeBytes { bytes in
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: bytes), info: Array("phi-ledger/\(purpose)".utf8), outputByteCount: 32)
        }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: subkey))
    }
}
