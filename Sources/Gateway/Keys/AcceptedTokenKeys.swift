import Foundation
import Ledger
import WebAuthn

/// Public keys that access tokens may be signed with besides the current signing key: the keys retired by
/// `gateway rotate-token-key` (whose tokens are still live for up to ACCESS_TOKEN_TTL_SECONDS), or the next key,
/// published to every gateway before any of them signs with it. Kept as a JWK Set (the form of
/// `/.well-known/jwks.json`), so a gateway's published set can be copied into another's file as it is.
enum AcceptedTokenKeys {
    /// The largest file read; a key set is a few hundred bytes per key.
    static let maxBytes = 256 * 1024

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses a JWK Set of Ed25519 keys, strictly: each key `OKP`/`Ed25519` with a 32-byte `x` and a `kid` that is
    /// the key's own id (SHA-256 of the key, hex), so a file cannot name one key with another's id.
    static func parse(_ data: Data) throws -> [String: Ed25519PublicKey] {
        guard data.count <= maxBytes else { throw Invalid(description: "is larger than \(maxBytes) bytes") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let keys = object["keys"] as? [Any] else {
            throw Invalid(description: #"is not a JWK Set ({"keys": [...]})"#)
        }
        var accepted: [String: Ed25519PublicKey] = [:]
        for (index, entry) in keys.enumerated() {
            guard let jwk = entry as? [String: Any], jwk["kty"] as? String == "OKP", jwk["crv"] as? String == "Ed25519",
                  let x = jwk["x"] as? String, let bytes = Base64URL.decode(x), let key = try? Ed25519PublicKey(bytes: bytes)
            else { throw Invalid(description: "key \(index) is not an Ed25519 OKP JWK with a 32-byte x") }
            guard let kid = jwk["kid"] as? String, kid == key.keyID else {
                throw Invalid(description: "key \(index) has a kid other than its key id \(key.keyID)")
            }
            if let use = jwk["use"] as? String, use != "sig" { throw Invalid(description: "key \(index) is not for signatures") }
            accepted[kid] = key
        }
        return accepted
    }

    /// The JWK Set text for `keys`, in kid order.
    static func render(_ keys: [String: Ed25519PublicKey]) -> String {
        let entries = keys.sorted { $0.key < $1.key }.map { kid, key in
            #"    {"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","kid":"\#(kid)","x":"\#(Base64URL.encode(key.bytes))"}"#
        }
        return "{\"keys\":[\n" + entries.joined(separator: ",\n") + "\n]}\n"
    }

    /// Reads the file at `path`; a missing file is an empty set.
    static func load(path: String) throws(ConfigurationError) -> [String: Ed25519PublicKey] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            return try parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let invalid as Invalid {
            throw .invalid("TOKEN_ACCEPTED_KEYS_FILE", "\(path) \(invalid.description)")
        } catch {
            throw .invalid("TOKEN_ACCEPTED_KEYS_FILE", "\(path) could not be read")
        }
    }
}
