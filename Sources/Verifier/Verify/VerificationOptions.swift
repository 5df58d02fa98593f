import ArgumentParser
import Foundation
import Ledger

/// What `verify` and `attest` both need: the ledger and keys, optionally an earlier attestation to continue from,
/// and how much to check.
struct VerificationOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions

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
        if since != nil, verifierKeys == nil {
            throw ValidationError("--since needs --verifier-keys: the attestation's signature is checked before it is believed")
        }
        if replay, hashesOnly { throw ValidationError("--replay reads every entry's fields, which --hashes-only skips") }
        if replay, since != nil { throw ValidationError("--replay rebuilds the tables from the first entry, so it cannot start from --since") }
        if kek != nil, !replay { throw ValidationError("--kek is for --replay") }
    }

    /// Runs the verification these options describe, with a progress bar on a terminal.
    func run() throws -> ChainVerification.Report {
        var attestation: Attestation?
        if let since, let verifierKeys {
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: since))) } catch {
                throw Attestation.Invalid(description: "cannot read the attestation \(since)")
            }
            attestation = try Attestation.open(bytes, verifierKeys: try TrustedKeyFile.load(verifierKeys))
        }
        let kek = try kek.map(LedgerOptions.readKEK)
        var verification = try ledger.verification()
        verification.since = attestation
        verification.verifySignatures = !hashesOnly
        verification.replay = replay
        verification.kek = kek
        return try verification.runWithProgress()
    }
}
