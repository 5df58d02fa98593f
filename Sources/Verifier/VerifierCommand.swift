import ArgumentParser
import Foundation
import Ledger

/// `verifier`: replays and attests the ledger, and checks audit bundles offline.
@main
struct VerifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Check the PHI ledger's integrity, attest it, and produce compliance reports and audit bundles.",
        discussion: """
            Start with `verifier verify`: it reads the ledger from PostgreSQL and checks every entry, signature, link and \
            checkpoint against the public keys you trust (with --replay, the tables too). `verifier attest` signs a \
            statement of what was verified; `verifier report` writes compliance reports; `verifier export` writes a signed \
            audit bundle and `verifier verify-bundle` checks one offline. `verifier keygen` makes keys. Run \
            `verifier help <command>` for each command's options and examples.
            """,
        version: "verifier (ledger format \(LedgerFormat.version))",
        subcommands: [
            VerifyCommand.self, AttestCommand.self, ReportCommand.self, ExportCommand.self, VerifyBundleCommand.self, KeygenCommand.self,
            Ed25519RateCommand.self,
        ])

    /// As ArgumentParser's, except that a command line that cannot be used exits 2 ("could not run") like every
    /// other failure to run, so that scripts can tell it from 1 ("tampering found").
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
