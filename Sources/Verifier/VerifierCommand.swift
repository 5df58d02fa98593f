import ArgumentParser
import Ledger

/// `verifier`: replays and attests the ledger, and checks audit bundles offline.
@main
struct VerifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Check the PHI ledger's integrity, attest it, and produce compliance reports and audit bundles.",
        discussion: """
            Start with `verifier verify`: it reads the ledger from PostgreSQL and checks every entry, signature, link and \
            checkpoint against the public keys you trust. `verifier keygen` makes keys. Run `verifier help <command>` for \
            each command's options and examples.
            """,
        version: "verifier (ledger format \(LedgerFormat.version))",
        subcommands: [VerifyCommand.self, KeygenCommand.self])
}
