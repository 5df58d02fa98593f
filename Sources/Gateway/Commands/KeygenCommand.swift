import ArgumentParser
import Ledger

/// `gateway keygen`: creates the key files that are missing, never replacing one that exists.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create the ledger signing key, key-encryption key and token signing key files if missing (mode 0600).",
        discussion: "Paths come from LEDGER_SIGNING_KEY_FILE, LEDGER_KEK_FILE and TOKEN_SIGNING_KEY_FILE. Existing files are kept.")

    func run() throws {
        let settings = KeySettings(environment: .processEnvironment())
        let signing = try KeyFileWriter.createIfMissing(settings.signingKeyFile) {
            PKCS8Ed25519.pem(for: Ed25519SigningKey.generate())
        }
        report(signing, what: "ledger signing key", path: settings.signingKeyFile)
        let kek = try KeyFileWriter.createIfMissing(settings.kekFile) {
            KeyEncryptionKey.generate().base64Text()
        }
        report(kek, what: "key-encryption key", path: settings.kekFile)
        let token = try KeyFileWriter.createIfMissing(settings.tokenKeyFile) {
            PKCS8Ed25519.pem(for: Ed25519SigningKey.generate())
        }
        report(token, what: "access-token signing key", path: settings.tokenKeyFile)
        let key = try KeyLoader.signingKey(settings)
        print("ledger signing key id: \(key.keyID)")
    }

    private func report(_ outcome: KeyFileWriter.Outcome, what: String, path: String) {
        switch outcome {
        case .created: print("created \(what): \(path)")
        case .keptExisting: print("kept existing \(what): \(path)")
        }
    }
}
