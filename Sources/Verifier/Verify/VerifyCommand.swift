import ArgumentParser
import Foundation
import Ledger

/// `verifier verify`: replays a chain from PostgreSQL and says whether it is intact.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the ledger in PostgreSQL is intact.",
        discussion: """
            Streams the chain's entries in seq order and checks, for every entry: its hash, that its bytes are canonical, \
            that seq has no gap and prev links to the entry before, that a trusted key signed it (keys introduced by \
            valid rotation entries become trusted from then on), and that the index columns agree with it. Then every \
            signed checkpoint in the database and in the witness file must verify and match the Merkle root and head at \
            its tree size; ledger_keys and ledger_heads must agree.

            With --replay, the projection tables (patients, care teams, notes, tasks, disclosures, break-glass grants, \
            users, the access log) are rebuilt from the chain and compared with the stored rows; with --kek, the sealed \
            PHI fields are opened and compared too.

            With --since and an attestation made earlier by `verifier attest`, only the entries added since are read; \
            the attested head must still be there and the new entries must extend the attested Merkle tree.

            Exit status: 0 intact, 1 tampering found (each finding names the seq, or the table and row), 2 could not run.

            The connection follows libpq's conventions: a conninfo string or postgresql:// URL in --database, or the \
            PGHOST, PGPORT, PGDATABASE, PGUSER variables, ~/.pgpass and service files (PGSERVICE). A role that can \
            read the ledger tables is enough; the session is read-only.

            Example:
              verifier verify -d "dbname=ledger user=auditor" --trusted-keys ledger.pub --witness main.jsonl
            """)

    @OptionGroup var options: VerificationOptions

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    func run() throws {
        let report: ChainVerification.Report
        do { report = try options.run() } catch {
            FileHandle.standardError.write(Data("verifier: could not verify: \(error)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.document), as: UTF8.self))
        case .text:
            for finding in report.findings { print(finding.line) }
            if report.findingsNotListed > 0 { print("… and \(report.findingsNotListed) more findings") }
            let read = report.since.map { "\(report.entries) entries after the attested tree size \($0)" } ?? "\(report.entries) entries"
            let summary = "chain \(report.chain): \(read), \(report.checkpoints) checkpoints, "
                + "\(report.witnessedCheckpoints) witnessed checkpoints, head \(Hex.encode(report.headHash).prefix(16))…"
            print(report.intact ? "\(summary): intact" : "\(summary): TAMPERING FOUND (\(report.findings.count + report.findingsNotListed) findings)")
        }
        if !report.intact { throw ExitCode(1) }
    }
}
