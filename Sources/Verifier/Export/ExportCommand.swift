import ArgumentParser
import Foundation
import Ledger

/// `verifier export`: a signed audit bundle of a window and/or one patient, for a reviewer to check offline.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a signed audit bundle (ZIP) of a window and/or one patient's entries, checkable offline.",
        discussion: """
            Verifies the whole chain (as `verifier verify` does; nothing is exported from a tampered chain), then \
            writes a bundle (docs/bundle-format.md) of the selected entries: each entry's canonical bytes and \
            signature, its inclusion proof to the latest signed checkpoint, the checkpoint, the ledger public keys, and \
            a manifest of the files' SHA-256 signed with --key. Sealed PHI stays sealed. Entries recorded after the \
            latest checkpoint are left out (and counted on standard error) until the next one covers them.

            A reviewer checks it with `verifier verify-bundle`, with no database.

            Exit status: 0 written, 1 tampering found (nothing written), 2 could not run.

            Example:
              verifier export -d "$CONNINFO" --trusted-keys ledger.pub --witness main.jsonl --key verifier.pem \\
                --patient 0b6f3c1e-8a52-4c1d-9d0e-5f7a2b9c4e11 --from 2026-01-01 --out patient-2026.zip
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(help: ArgumentHelp("The verifier's private key (PKCS#8 PEM) to sign the manifest with.", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("Start of the window: YYYY-MM-DD or an RFC 3339 time in UTC (default: the chain's start).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End of the window: YYYY-MM-DD (that whole day included) or an RFC 3339 time in UTC (default: no end).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Only the entries about this patient.", valueName: "patient id"))
    var patient: String?

    @Option(help: ArgumentHelp("Where to write the bundle.", valueName: "file"))
    var out: String

    func validate() throws {
        try APIIdentifier.validate(patient, option: "--patient")
        let selection = try self.selection()
        if let start = selection.from, let end = selection.to, start >= end { throw ValidationError("--from must come before --to") }
    }

    func selection() throws -> AuditBundle.Selection {
        AuditBundle.Selection(
            from: try from.map { LedgerTimestamp(microsecondsSinceEpoch: try WindowTime.microseconds($0, endOfDay: false)) },
            to: try to.map { LedgerTimestamp(microsecondsSinceEpoch: try WindowTime.microseconds($0, endOfDay: true)) }, patient: patient)
    }

    func run() throws {
        let signingKey: Ed25519SigningKey
        let output: OutputFile
        do {
            guard let text = try? String(contentsOfFile: key, encoding: .utf8), let loaded = try? PKCS8Ed25519.signingKey(fromPEM: text) else {
                throw ValidationError("\(key) is not an Ed25519 private key in PKCS#8 PEM form")
            }
            signingKey = loaded
            output = try OutputFile(path: out)
        } catch {
            FileHandle.standardError.write(Data("verifier: could not export: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let outcome: BundleExport.Outcome
        do {
            var verification = try ledger.verification()
            outcome = try BundleExport(selection: try selection(), producer: "verifier export").run(&verification, signingKey: signingKey)
        } catch {
            output.discard()
            FileHandle.standardError.write(Data("verifier: could not export: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard let archive = outcome.archive else {
            output.discard()
            for finding in outcome.findings.prefix(20) { FileHandle.standardError.write(Data("\(finding.line)\n".utf8)) }
            FileHandle.standardError.write(Data("verifier: tampering found; no bundle written\n".utf8))
            throw ExitCode(1)
        }
        do {
            try output.write(archive)
            try output.finish()
        } catch {
            output.discard()
            FileHandle.standardError.write(Data("verifier: could not export: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var summary = "exported \(outcome.entries) entries of chain \(ledger.chain) to \(out), proven to the checkpoint at tree size \(outcome.treeSize)"
        if outcome.leftOut > 0 { summary += "; \(outcome.leftOut) selected entries after that checkpoint are left out until the next one" }
        FileHandle.standardError.write(Data("verifier: \(summary)\n".utf8))
    }
}
