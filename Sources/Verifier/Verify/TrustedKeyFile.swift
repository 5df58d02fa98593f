import Foundation
import Ledger

/// The keys a verification starts from: a text file with one Ed25519 public key per line in lowercase hex (as
/// `verifier keygen` writes it); `#` starts a comment. Never the database's `ledger_keys`, which whoever
/// controls the database could change.
enum TrustedKeyFile {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ path: String) throws -> [String: Ed25519PublicKey] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Invalid(description: "cannot read the trusted key file \(path)")
        }
        var keys: [String: Ed25519PublicKey] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            guard line.count == 64, let bytes = Hex.decode(line.lowercased()), let key = try? Ed25519PublicKey(bytes: bytes) else {
                throw Invalid(description: "\(path):\(number + 1): not an Ed25519 public key in hex (64 hex digits)")
            }
            keys[key.keyID] = key
        }
        guard !keys.isEmpty else { throw Invalid(description: "\(path) holds no key") }
        return keys
    }
}
