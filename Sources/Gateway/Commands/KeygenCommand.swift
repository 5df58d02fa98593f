import ArgumentParser
import Ledger

/// `gateway keygen`: creates the key files that are missing, never replacing one that exists.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create the ledger signing key and key-encryption key files if they do not exist (mode 0600).",
        discussion: "Paths come from LEDGER_SIGNING_KEY_FILE and LEDGER_KEK_FILE. Existing files are kept.")

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
