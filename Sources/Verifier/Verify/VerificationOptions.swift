import ArgumentParser
import Foundation
import Ledger

/// What `verify` and `attest` both need: where the ledger is, which chain, the keys to trust, the witness file,
/// and optionally an earlier attestation to continue from.
struct VerificationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "libpq conninfo or URL (default: from PG* variables, ~/.pgpass, service files).")
    var database = ""

    @Option(help: "The chain to verify.")
    var chain = "main"

    @Option(help: ArgumentHelp("File of trusted ledger public keys, one hex key per line.", valueName: "file"))
    var trustedKeys: String

    @Option(help: ArgumentHelp("The gateway's witness file (checkpoints kept outside the database).", valueName: "file"))
    var witness: String?

    @Option(help: ArgumentHelp("An earlier attestation: check only what was added since, and that it extends what was attested.", valueName: "file"))
    var since: String?

    @Option(help: ArgumentHelp("File of trusted verifier public keys, for --since.", valueName: "file"))
    var verifierKeys: String?

    @Flag(help: "Check hashes, links and checkpoints but not each entry's signature (faster; the signed checkpoints still bind the chain to a trusted key).")
    var hashesOnly = false

    @Flag(help: "Also rebuild the projection tables (patients, notes, tasks, ...) from the chain and compare them with the stored ones.")
    var replay = false

    @Option(help: ArgumentHelp(
        "The gateway's key-encryption key file, for --replay to open sealed fields and compare them too.", valueName: "file"))
    var kek: String?

    func validate() throws {
        guard chain.range(of: #"^[a-z0-9][a-z0-9._-]{0,62}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--chain must match [a-z0-9][a-z0-9._-]{0,62}")
        }
        if since != nil, verifierKeys == nil {
            throw ValidationError("--since needs --verifier-keys: the attestation's signature is checked before it is believed")
        }
        if replay, hashesOnly { throw ValidationError("--replay reads every entry's fields, which --hashes-only skips") }
        if replay, since != nil { throw ValidationError("--replay rebuilds the tables from the first entry, so it cannot start from --since") }
        if kek != nil, !replay { throw ValidationError("--kek is for --replay") }
    }

    /// Runs the verification these options describe, with a progress bar on a terminal.
    func run() throws -> ChainVerification.Report {
        var bar = ProgressBar()
        defer { bar.finish() }
        let keys = try TrustedKeyFile.load(trustedKeys)
        let witnessed = try witness.map { try WitnessLog.load($0, chain: chain) } ?? []
        var attestation: Attestation?
        if let since, let verifierKeys {
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: since))) } catch {
                throw Attestation.Invalid(description: "cannot read the attestation \(since)")
            }
            attestation = try Attestation.open(bytes, verifierKeys: try TrustedKeyFile.load(verifierKeys))
        }
        let kek = try kek.map(Self.readKEK)
        let connection = try LibPQConnection(conninfo: database)
        var verification = ChainVerification(connection: connection, chain: chain, trustedKeys: keys, witness: witnessed, since: attestation)
        verification.verifySignatures = !hashesOnly
        verification.replay = replay
        verification.kek = kek
        verification.progress = { done, total in bar.update(done: done, total: total) }
        return try verification.run()
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
