import Foundation
import Ledger
import Testing
@testable import Gateway

@Suite("Loading keys")
struct KeyLoaderTests {
    private func writeFile(_ text: String, mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("a key file readable by other users is refused, naming the variable")
    func openPermissionsRefused() throws {
        let path = try writeFile(PKCS8Ed25519.pem(for: .generate()), mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = KeySettings(signingKeyFile: path, kekFile: "/nonexistent")
        #expect(throws: ConfigurationError.self) { try KeyLoader.signingKey(settings) }
        do { _ = try KeyLoader.signingKey(settings) } catch {
            #expect(error.variable == "LEDGER_SIGNING_KEY_FILE")
            #expect(error.reason.contains("chmod 600"))
        }
    }

    @Test("a 0600 key file loads")
    func privateFileLoads() throws {
        let key = Ed25519SigningKey.generate()
        let path = try writeFile(PKCS8Ed25519.pem(for: key), mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try KeyLoader.signingKey(KeySettings(signingKeyFile: path, kekFile: "/nonexistent"))
        #expect(loaded.keyID == key.keyID)
    }

    @Test("a missing file points at gateway keygen")
    func missingFile() {
        do {
            _ = try KeyLoader.keyEncryptionKey(KeySettings(signingKeyFile: "/nonexistent", kekFile: "/nonexistent/kek"))
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.variable == "LEDGER_KEK_FILE")
            #expect(error.reason.contains("gateway keygen"))
        }
    }

    @Test("an inline key may be the PEM or its one-line base64 body")
    func inlineForms() throws {
        let key = Ed25519SigningKey.generate()
        let pem = PKCS8Ed25519.pem(for: key)
        let body = pem.split(separator: "\n").dropFirst().dropLast().joined()
        for inline in [pem, body] {
            let loaded = try KeyLoader.signingKey(KeySettings(signingKeyFile: "/nonexistent", signingKeyInline: inline, kekFile: "/x"))
            #expect(loaded.keyID == key.keyID)
        }
        #expect(throws: ConfigurationError.self) {
            try KeyLoader.signingKey(KeySettings(signingKeyFile: "/nonexistent", signingKeyInline: "garbage", kekFile: "/x"))
        }
    }
}
