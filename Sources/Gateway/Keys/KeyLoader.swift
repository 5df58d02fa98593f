import Foundation
import Ledger

/// Reads the ledger's signing key, the key-encryption key and the access-token key from the environment or from
/// 0600 files.
/// Every failure names the variable to fix; none repeats key material.
enum KeyLoader {
    static func signingKey(_ settings: KeySettings) throws(ConfigurationError) -> Ed25519SigningKey {
        try ed25519(
            inline: settings.signingKeyInline, file: settings.signingKeyFile,
            inlineVariable: "LEDGER_SIGNING_KEY", fileVariable: "LEDGER_SIGNING_KEY_FILE")
    }

    /// The key access tokens are signed with: not the ledger's, so that neither can stand in for the other.
    static func tokenSigningKey(_ settings: KeySettings) throws(ConfigurationError) -> Ed25519SigningKey {
        try ed25519(
            inline: settings.tokenKeyInline, file: settings.tokenKeyFile,
            inlineVariable: "TOKEN_SIGNING_KEY", fileVariable: "TOKEN_SIGNING_KEY_FILE")
    }

    private static func ed25519(
        inline: String?, file: String, inlineVariable: String, fileVariable: String
    ) throws(ConfigurationError) -> Ed25519SigningKey {
        if let inline {
            // One-line environments (docker env files) carry the PEM body alone; wrap it back into PEM.
            let pem = inline.hasPrefix("-----BEGIN")
                ? inline : "-----BEGIN PRIVATE KEY-----\n\(inline)\n-----END PRIVATE KEY-----\n"
            do { return try PKCS8Ed25519.signingKey(fromPEM: pem) } catch {
                throw .invalid(inlineVariable, "is not an Ed25519 private key in PKCS#8 PEM form (or its one-line base64 body) (\(error))")
            }
        }
        let text = try readSecretFile(file, variable: fileVariable)
        do { return try PKCS8Ed25519.signingKey(fromPEM: text) } catch {
            throw .invalid(fileVariable, "\(file) does not hold an Ed25519 PKCS#8 PEM key (\(error))")
        }
    }

    static func keyEncryptionKey(_ settings: KeySettings) throws(ConfigurationError) -> KeyEncryptionKey {
        if let inline = settings.kekInline {
            do { return try KeyEncryptionKey(base64Text: inline) } catch {
                throw .invalid("LEDGER_KEK", "must be 32 bytes in base64 (\(error))")
            }
        }
        let text = try readSecretFile(settings.kekFile, variable: "LEDGER_KEK_FILE")
        do { return try KeyEncryptionKey(base64Text: text) } catch {
            throw .invalid("LEDGER_KEK_FILE", "\(settings.kekFile) must hold 32 bytes in base64 (\(error))")
        }
    }

    /// Reads a key file, refusing one that other users can read (as ssh does): a key that leaked is not a key.
    static func readSecretFile(_ path: String, variable: String) throws(ConfigurationError) -> String {
        let mode: Int
        do {
            guard let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int else {
                throw CocoaError(.fileReadUnknown)
            }
            mode = permissions
        } catch {
            throw .invalid(variable, "cannot read \(path); create keys with `gateway keygen`")
        }
        guard mode & 0o077 == 0 else {
            throw .invalid(variable, "\(path) is readable by other users (mode \(String(mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .invalid(variable, "cannot read \(path)")
        }
    }
}
