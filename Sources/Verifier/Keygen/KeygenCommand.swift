import ArgumentParser
import Foundation
import Ledger

/// `verifier keygen`: Ed25519 key pairs for the ledger (the gateway signs with the private half; verifiers trust
/// the public half) and for verifiers' own attestations.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair, or print the public key of an existing one.",
        discussion: """
            Writes the private key as PKCS#8 PEM (mode 0600; the format LEDGER_SIGNING_KEY_FILE takes) and the public key \
            as one line of hex (the format --trusted-keys takes). Never overwrites a file.

            Examples:
              verifier keygen --private ledger-signing.pem --public ledger.pub
              verifier keygen --public-of .data/keys/ledger-signing.pem >> trusted.pub
            """)

    @Option(help: ArgumentHelp("Where to write the new private key.", valueName: "file"))
    var `private`: String?

    @Option(help: ArgumentHelp("Where to write the new public key.", valueName: "file"))
    var `public`: String?

    @Option(help: ArgumentHelp("Print the public key of this existing private key instead.", valueName: "file"))
    var publicOf: String?

    func validate() throws {
        if publicOf != nil {
            guard `private` == nil, `public` == nil else { throw ValidationError("--public-of stands alone") }
        } else {
            guard `private` != nil, `public` != nil else { throw ValidationError("give --private and --public (or --public-of)") }
        }
    }

    func run() throws {
        if let publicOf {
            guard let text = try? String(contentsOfFile: publicOf, encoding: .utf8), let key = try? PKCS8Ed25519.signingKey(fromPEM: text) else {
                throw ValidationError("\(publicOf) is not an Ed25519 private key in PKCS#8 PEM form")
            }
            print(Self.publicLine(key))
            return
        }
        guard let privatePath = `private`, let publicPath = `public` else { return }
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; keygen never overwrites a key")
        }
        let key = Ed25519SigningKey.generate()
        try write(PKCS8Ed25519.pem(for: key), to: privatePath, mode: 0o600)
        try write(Self.publicLine(key) + "\n", to: publicPath, mode: 0o644)
        print("key id \(key.keyID)")
    }

    static func publicLine(_ key: Ed25519SigningKey) -> String {
        Hex.encode(key.publicKey.bytes) + "  # key id " + key.keyID
    }

    private func write(_ text: String, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw ValidationError("cannot write \(path)")
        }
    }
}
