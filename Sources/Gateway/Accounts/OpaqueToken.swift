import Crypto
import Foundation
import Ledger

/// A bearer secret that is not a JWT (an enrolment invite, a refresh token): 256 random bits, shown once as
/// base64url, stored only as its SHA-256.
struct OpaqueToken: Sendable {
    /// The text handed to its holder.
    let text: String
    /// What the database keeps.
    let hash: [UInt8]

    static func generate() -> OpaqueToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return OpaqueToken(text: text, hash: hash(of: text))
    }

    /// The stored form of a presented token.
    static func hash(of text: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(text.utf8)))
    }
}
