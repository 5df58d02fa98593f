import ArgumentParser
import Foundation
import Ledger

/// `verifier report`: who did what over a window, read from the verified chain.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a compliance report of a window of the ledger: accesses, disclosures, sign-in failures, break-glass, privilege changes.",
        discussion: """
            Verifies the whole chain (as `verifier verify` does) and reports, from the entries that verified, over the \
            window: access to patients' records by person, by patient and by day; the accounting of disclosures with \
            the HIPAA 164.528 fields; failed sign-ins and lockouts; break-glass use with the accesses made under each \
            grant; privilege changes (invites, role and status changes, policy activations, key rotations); and the \
            chain's status. --user or --patient narrows it to one account or one patient.

            Sealed fields (patients' names and MRNs, disclosure details, break-glass reasons) are included only with \
            --kek; a report with them is PHI. Staff names come from the users table.

            Formats: html (one self-contained printable page with charts), json (everything), csv (one --section), \
            fhir (FHIR R4 AuditEvent resources as NDJSON, one per entry in the window, for a SIEM).

            Exit status: 0 written and the chain intact, 1 written but tampering found (the report says so), 2 could \
            not run.

            Examples:
              verifier report -d "$CONNINFO" --trusted-keys ledger.pub --witness main.jsonl --kek kek.b64 \\
                --from 2026-11-01 --to 2026-11-30 --out november.html
              verifier report -d "$CONNINFO" --trusted-keys ledger.pub --patient 0b6f... --format csv --section disclosures
              verifier report -d "$CONNINFO" --trusted-keys ledger.pub --from 2026-11-21 --format fhir > audit.ndjson
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(help: ArgumentHelp("The gateway's key-encryption key file, to include sealed fields.", valueName: "file"))
    var kek: String?

    @Option(help: ArgumentHelp("Start of the window: YYYY-MM-DD or an RFC 3339 time in UTC (default: 30 days before --to).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End of the window: YYYY-MM-DD (that whole day included) or an RFC 3339 time in UTC (default: now).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Only what this account did, or what was done to it.", valueName: "account id"))
    var user: String?

    @Option(help: ArgumentHelp("Only what concerns this patient.", valueName: "patient id"))
    var patient: String?

    @Option(help: "html, json, csv or fhir.")
    var format: Format = .html

    @Option(help: ArgumentHelp("For csv: \(ReportCSV.Section.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "section"))
    var section: ReportCSV.Section = .accesses

    @Option(help: ArgumentHelp("Where to write the report (default: standard output).", valueName: "file"))
    var out: String?

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case html, json, csv, fhir
    }

    func validate() throws {
        try APIIdentifier.validate(user, option: "--user")
        try APIIdentifier.validate(patient, option: "--patient")
        _ = try window(now: .now())
    }

    /// The window [from, to) in microseconds since 1970.
    func window(now: LedgerTimestamp) throws -> (from: Int64, to: Int64) {
        let end = try to.map { try WindowTime.microseconds($0, endOfDay: true) } ?? now.microsecondsSinceEpoch
        let start = try from.map { try WindowTime.microseconds($0, endOfDay: false) } ?? end - 30 * 86_400_000_000
        guard start < end else { throw ValidationError("--from must come before --to") }
        return (start, end)
    }

    func run() throws {
        let output: OutputFile
        do { output = try OutputFile(path: out) } catch {
            FileHandle.standardError.write(Data("verifier: could not report: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let intact: Bool
        do { intact = try write(to: output) } catch {
            output.discard()
            FileHandle.standardError.write(Data("verifier: could not report: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if !intact {
            FileHandle.standardError.write(Data("verifier: tampering found; the report says so, and `verifier verify` lists every finding\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Verifies the chain while collecting the report, writes it, and returns whether the chain is intact.
    private func write(to output: OutputFile) throws -> Bool {
        let now = LedgerTimestamp.now()
        let (start, end) = try window(now: now)
        let scope = ReportCollector.Scope(from: start, to: end, user: user, patient: patient)
        let kek = try kek.map(LedgerOptions.readKEK)
        var verification = try ledger.verification()
        let chain = ledger.chain
        let state = ReportState()
        let streamsEvents = format == .fhir
        verification.prepare = { connection in
            for row in try connection.query("SELECT id::text, name FROM users") {
                if let id = row[0], let name = row[1] { state.people[id] = name }
            }
            let opener = PayloadOpener(chain: chain, kek: kek, wrappedKeys: try PayloadOpener.wrappedKeys(of: chain, from: connection))
            try opener.checkKEK()
            state.collector = ReportCollector(chain: chain, scope: scope, opener: opener, generatedAt: now)
        }
        verification.onEntry = { row, entry in
            state.collector?.observe(seq: row.seq, entry)
            // A SIEM export streams: one event per verified entry in the window, written as the chain is read.
            if streamsEvents, let entry, scope.contains(entry.recordedAt), Self.concerns(entry, scope) {
                try output.write(FHIRAuditEvent.line(entry, people: state.people))
            }
        }
        let verified = try verification.runWithProgress()
        guard let collector = state.collector else { throw ValidationError("the chain could not be read") }
        let report = collector.finish(verification: verified, people: state.people)
        switch format {
        case .html: try output.write(Array(ReportHTML.render(report).utf8))
        case .csv: try output.write(Array(ReportCSV.render(report, section: section).utf8))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try output.write(Array(try encoder.encode(report)) + [UInt8(ascii: "\n")])
        case .fhir: break
        }
        try output.finish()
        if let out { FileHandle.standardError.write(Data("verifier: wrote \(out)\n".utf8)) }
        return verified.intact
    }

    /// Whether a SIEM event for `entry` belongs in a report narrowed to one account or patient: "about a patient"
    /// means what it means for a bundle.
    static func concerns(_ entry: LedgerEntry, _ scope: ReportCollector.Scope) -> Bool {
        if let user = scope.user, entry.actor?.userID != user, entry.resource?.id != user { return false }
        if let patient = scope.patient, !BundleVerification.concerns(entry, patient: patient) { return false }
        return true
    }
}

/// What the verification's callbacks fill in.
private final class ReportState {
    var people: [String: String] = [:]
    var collector: ReportCollector?
}

extension ReportCSV.Section: ExpressibleByArgument {}
