import ArgumentParser
import Foundation
import Ledger

/// Where the ledger is and what to trust: what every command that reads the chain from PostgreSQL needs.
struct LedgerOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "libpq conninfo or URL (default: from PG* variables, ~/.pgpass, service files).")
    var database = ""

    @Option(help: "The chain to read.")
    var chain = "main"

    @Option(help: ArgumentHelp("File of trusted ledger public keys, one hex key per line.", valueName: "file"))
    var trustedKeys: String

    @Option(help: ArgumentHelp("The gateway's witness file (checkpoints kept outside the database).", valueName: "file"))
    var witness: String?

    func validate() throws {
        guard chain.range(of: #"^[a-z0-9][a-z0-9._-]{0,62}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--chain must match [a-z0-9][a-z0-9._-]{0,62}")
        }
    }

    /// A verification of the chain these options name, with a progress bar on a terminal while it runs.
    func verification() throws -> ChainVerification {
        let keys = try TrustedKeyFile.load(trustedKeys)
        let witnessed = try witness.map { try WitnessLog.load($0, chain: chain) } ?? []
        return ChainVerification(connection: try LibPQConnection(conninfo: database), chain: chain, trustedKeys: keys, witness: witnessed)
    }

    /// The KEK from its file: one line of base64, as the gateway keeps it.
    static func readKEK(_ path: String) throws -> KeyEncryptionKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KeyMaterialError.malformed("cannot read the key-encryption key file \(path)")
        }
        return try KeyEncryptionKey(base64Text: text)
    }
}
