import Foundation

/// Ed25519 private keys in the PKCS#8 PEM form (RFC 8410) that `openssl genpkey -algorithm ed25519` writes,
/// so operators can make and inspect keys with tools they already trust.
public enum PKCS8Ed25519 {
    /// DER of `PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }`
    /// up to the seed. Ed25519 keys have exactly this prefix; anything else is rejected rather than guessed at.
    static let derPrefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    static let header = "-----BEGIN PRIVATE KEY-----"
    static let footer = "-----END PRIVATE KEY-----"

    /// Parses a PEM document holding one Ed25519 private key.
    public static func signingKey(fromPEM text: String) throws -> Ed25519SigningKey {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard lines.first == header, lines.last == footer, lines.count >= 3 else {
            throw KeyMaterialError.malformed("expected a PEM block '\(header)' ... '\(footer)'")
        }
        let body = lines.dropFirst().dropLast().joined()
        guard let decoded = Data(base64Encoded: body) else {
            throw KeyMaterialError.malformed("the PEM body is not base64")
        }
        var der = [UInt8](decoded)
        defer { Sodium.wipe(&der) }
        guard der.count == derPrefix.count + 32, der.starts(with: derPrefix) else {
            throw KeyMaterialError.unsupported("only Ed25519 PKCS#8 private keys are accepted")
        }
        return try Ed25519SigningKey(seed: der[derPrefix.count...])
    }

    /// The PEM text for `key`. The returned string holds the secret: write it to a 0600 file and drop it.
    public static func pem(for key: Ed25519SigningKey) -> String {
        var der = derPrefix + key.exportSeed()
        defer { Sodium.wipe(&der) }
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "\(header)\n\(body)\n\(footer)\n"
    }
}
