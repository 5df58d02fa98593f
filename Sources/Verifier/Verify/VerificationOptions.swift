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

    func validate() throws {
        guard chain.range(of: #"^[a-z0-9][a-z0-9._-]{0,62}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--chain must match [a-z0-9][a-z0-9._-]{0,62}")
        }
        if since != nil, verifierKeys == nil {
            throw ValidationError("--since needs --verifier-keys: the attestation's signature is checked before it is believed")
        }
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
        let connection = try LibPQConnection(conninfo: database)
        var verification = ChainVerification(connection: connection, chain: chain, trustedKeys: keys, witness: witnessed, since: attestation)
        verification.verifySignatures = !hashesOnly
        verification.progress = { done, total in bar.update(done: done, total: total) }
        return try verification.run()
    }
}
