import ArgumentParser
import Foundation

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

            Exit status: 0 intact, 1 tampering found (each finding names the seq, or the table and row), 2 could not run.

            The connection follows libpq's conventions: a conninfo string or postgresql:// URL in --database, or the \
            PGHOST, PGPORT, PGDATABASE, PGUSER variables, ~/.pgpass and service files (PGSERVICE). A role that can \
            read the ledger tables is enough; the session is read-only.

            Example:
              verifier verify -d "dbname=ledger user=auditor" --trusted-keys ledger.pub --witness main.jsonl
            """)

    @Option(name: .shortAndLong, help: "libpq conninfo or URL (default: from PG* variables, ~/.pgpass, service files).")
    var database = ""

    @Option(help: "The chain to verify.")
    var chain = "main"

    @Option(help: ArgumentHelp("File of trusted ledger public keys, one hex key per line.", valueName: "file"))
    var trustedKeys: String

    @Option(help: ArgumentHelp("The gateway's witness file (checkpoints kept outside the database).", valueName: "file"))
    var witness: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    func validate() throws {
        guard chain.range(of: #"^[a-z0-9][a-z0-9._-]{0,62}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--chain must match [a-z0-9][a-z0-9._-]{0,62}")
        }
    }

    func run() throws {
        let report: ChainVerification.Report
        var bar = ProgressBar()
        do {
            let keys = try TrustedKeyFile.load(trustedKeys)
            let witnessed = try witness.map { try WitnessLog.load($0, chain: chain) } ?? []
            let connection = try LibPQConnection(conninfo: database)
            var verification = ChainVerification(connection: connection, chain: chain, trustedKeys: keys, witness: witnessed)
            verification.progress = { done, total in bar.update(done: done, total: total) }
            report = try verification.run()
            bar.finish()
        } catch {
            bar.finish()
            FileHandle.standardError.write(Data("verifier: could not verify: \(error)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .text:
            for finding in report.findings { print(finding.line) }
            if report.findingsNotListed > 0 { print("… and \(report.findingsNotListed) more findings") }
            let summary = "chain \(report.chain): \(report.entries) entries, \(report.checkpoints) checkpoints, "
                + "\(report.witnessedCheckpoints) witnessed checkpoints, head \(report.headHash.prefix(16))…"
            print(report.intact ? "\(summary): intact" : "\(summary): TAMPERING FOUND (\(report.findings.count + report.findingsNotListed) findings)")
        }
        if !report.intact { throw ExitCode(1) }
    }
}
