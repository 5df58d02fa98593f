import ArgumentParser
import Ledger

/// `verifier`: replays and attests the ledger, and checks audit bundles offline.
@main
struct VerifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Check the PHI ledger's integrity, attest it, and produce compliance reports and audit bundles.",
        version: "verifier (ledger format \(LedgerFormat.version))")
}
