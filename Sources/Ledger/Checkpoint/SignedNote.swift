import Crypto
import Foundation

/// C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures: a UTF-8 text ending in a newline, a blank
/// line, then lines `— <key name> <base64(key hash || signature)>`.
public enum SignedNote {
    /// A named Ed25519 verifier key, as the note format identifies it.
    public struct VerifierKey: Sendable, Equatable {
        public let name: String
        public let publicKey: Ed25519PublicKey

        public init(name: String, publicKey: Ed25519PublicKey) throws(LedgerFormatError) {
            guard SignedNote.isValidKeyName(name) else { throw .invalid("note key names must be non-empty, without spaces or '+'") }
            self.name = name
            self.publicKey = publicKey
        }

        /// The 4-byte key hash: the first bytes of `SHA-256(name || "\n" || 0x01 || public key)`.
        public var keyHash: [UInt8] {
            var hasher = SHA256()
            hasher.update(data: Array(name.utf8) + [0x0a, 0x01])
            hasher.update(data: publicKey.bytes)
            return Array(hasher.finalize().prefix(4))
        }
    }

    static let signaturePrefix = "\u{2014} "  // em dash and a space
    static let maxNoteBytes = 64 * 1024
    static let maxSignatures = 100

    static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0.isWhitespace || $0 == "+" })
    }

    /// Signs `text` (which must end in a newline) and returns the whole note.
    public static func sign(_ text: String, name: String, key: Ed25519SigningKey) throws(LedgerFormatError) -> String {
        guard text.hasSuffix("\n"), !text.hasSuffix("\n\n") else { throw .invalid("note text must end in exactly one newline") }
        let verifier = try VerifierKey(name: name, publicKey: key.publicKey)
        let signature = key.sign(Array(text.utf8))
        return text + "\n" + signaturePrefix + name + " " + Data(verifier.keyHash + signature).base64EncodedString() + "\n"
    }

    /// Returns the note's text when at least one signature by a key in `keys` verifies; signatures by other keys
    /// are ignored, as the format requires. Throws when none verifies or the note is malformed.
    public static func open(_ note: String, keys: [VerifierKey]) throws(LedgerFormatError) -> String {
        guard note.utf8.count <= maxNoteBytes else { throw .invalid("note is larger than \(maxNoteBytes) bytes") }
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw .invalid("note has no signature block") }
        let text = String(note[..<split.lowerBound]) + "\n"
        let block = note[split.upperBound...]
        guard block.hasSuffix("\n") else { throw .invalid("signature block must end in a newline") }
        let lines = block.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty, lines.count <= maxSignatures else { throw .invalid("note has no or too many signature lines") }
        var verified = false
        for line in lines {
            guard line.hasPrefix(signaturePrefix) else { throw .invalid("malformed signature line") }
            let parts = line.dropFirst(signaturePrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, let blob = Data(base64Encoded: String(parts[1])), blob.count >= 4 else {
                throw .invalid("malformed signature line")
            }
            let name = String(parts[0])
            let bytes = [UInt8](blob)
            for key in keys where key.name == name && key.keyHash == Array(bytes.prefix(4)) {
                if bytes.count == 68, key.publicKey.isValidSignature(bytes.dropFirst(4), for: Array(text.utf8)) {
                    verified = true
                }
            }
        }
        guard verified else { throw .invalid("no signature by a trusted key verifies") }
        return text
    }
}
