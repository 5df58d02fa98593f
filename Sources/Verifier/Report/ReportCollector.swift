import Ledger

/// Builds a `ComplianceReport` from the chain's verified entries, given in seq order. It follows the whole
/// chain (patients' names come from their registration, which may predate the window) and keeps the rows of
/// the entries inside the window that concern the account or patient asked about.
final class ReportCollector {
    struct Scope {
        /// Microseconds since 1970: from inclusive, to exclusive.
        let from: Int64
        let to: Int64
        var user: String?
        var patient: String?

        func contains(_ time: LedgerTimestamp) -> Bool {
            (from..<to).contains(time.microsecondsSinceEpoch)
        }
    }

    private let scope: Scope
    private let opener: PayloadOpener
    private var replay = ProjectionReplay()
    private var shredded: Set<String> = []
    private var report: ComplianceReport
    private var byUser: [String: ComplianceReport.Count] = [:]
    private var byPatient: [String: ComplianceReport.Count] = [:]
    private var byPeriod: [String: ComplianceReport.Count] = [:]
    /// The latest grant of each (user, patient), by index in `report.breakGlass`, with its end when known.
    private var latestGrant: [String: (index: Int, end: Int64?)] = [:]

    init(chain: String, scope: Scope, opener: PayloadOpener, generatedAt: LedgerTimestamp) {
        self.scope = scope
        self.opener = opener
        report = ComplianceReport(
            chain: chain, generatedAt: generatedAt.description,
            window: .init(
                from: LedgerTimestamp(microsecondsSinceEpoch: scope.from).description,
                to: LedgerTimestamp(microsecondsSinceEpoch: scope.to).description),
            user: scope.user, patient: scope.patient, sealedFieldsOpened: opener.canOpen, chainStatus: .init())
    }

    /// The next entry in seq order; nil when it did not verify, and is then left out.
    func observe(seq: Int64, _ entry: LedgerEntry?) {
        guard let entry else { return }
        let (payload, _) = opener.payload(of: entry)
        replay.apply(entry, payload: payload)
        if entry.action == "patient.shred", entry.outcome == .success, let patient = entry.subject { shredded.insert(patient) }
        let fields = payload.json
        if entry.action == "disclosure.create" {
            // The accounting is by the date of the disclosure, when it can be read.
            let disclosed = fields?["disclosedAt"]?.stringValue.flatMap(LedgerTimestamp.init(parsing:))
            guard scope.contains(disclosed ?? entry.recordedAt) else { return }
        } else {
            guard scope.contains(entry.recordedAt) else { return }
        }
        let family = String(entry.action.prefix { $0 != "." })
        if AccessLogRow.families.contains(family) { access(entry, fields) }
        switch entry.action {
        case "auth.login" where entry.outcome != .success: failedSignIn(entry, fields)
        case "auth.lockout": lockout(entry, fields)
        case "user.invite", "user.roles.change", "user.disable", "user.enable", "policy.activate", KeyRotation.action:
            privilegeChange(entry, fields)
        default: break
        }
    }

    /// The report, with the chain's status from the verification that fed it and staff names.
    func finish(verification: ChainVerification.Report, people: [String: String]) -> ComplianceReport {
        var finished = report
        finished.chainStatus = .init(
            intact: verification.intact, entries: verification.entries, treeSize: verification.treeSize,
            headHash: Hex.encode(verification.headHash), checkpoints: verification.checkpoints,
            witnessedCheckpoints: verification.witnessedCheckpoints, checks: verification.checks,
            findings: verification.findings.count + verification.findingsNotListed, firstFindings: Array(verification.findings.prefix(20)))
        let order: (ComplianceReport.Count, ComplianceReport.Count) -> Bool = { ($0.total, $1.key) > ($1.total, $0.key) }
        finished.accessSummary.byUser = byUser.values.sorted(by: order)
        finished.accessSummary.byPatient = byPatient.values.sorted(by: order)
        finished.accessSummary.byDay = periods().map { byPeriod[$0] ?? ComplianceReport.Count(key: $0) }
        var named = Set(finished.accesses.flatMap(\.patients))
        named.formUnion(finished.disclosures.compactMap(\.patient))
        named.formUnion(finished.breakGlass.compactMap(\.patient))
        for patient in named { finished.patients[patient] = label(of: patient) }
        var accounts = Set(finished.accesses.compactMap(\.user))
        accounts.formUnion(finished.disclosures.compactMap(\.recordedBy))
        accounts.formUnion(finished.breakGlass.compactMap(\.user))
        accounts.formUnion(finished.failedSignIns.compactMap(\.account))
        accounts.formUnion(finished.lockouts.compactMap(\.account))
        accounts.formUnion(finished.privilegeChanges.flatMap { [$0.by, $0.target].compactMap { $0 } })
        finished.people = people.filter { accounts.contains($0.key) }
        return finished
    }

    // MARK: - Sections

    private func access(_ entry: LedgerEntry, _ fields: JSONValue?) {
        let patients = AccessLogRow.expected(for: entry).map(\.patientID)
        let user = entry.actor?.userID
        if let wanted = scope.user, user != wanted { return }
        if let wanted = scope.patient, !patients.contains(wanted) { return }
        let breakGlass = entry.purposeOfUse == "ETREAT"
        let denied = entry.outcome != .success
        report.accesses.append(.init(
            seq: entry.seq, time: entry.recordedAt.description, user: user, roles: entry.actor?.roles ?? [], action: entry.action,
            patients: patients, outcome: entry.outcome.rawValue, breakGlass: breakGlass, purposeOfUse: entry.purposeOfUse,
            clientAddress: entry.actor?.clientAddress))
        report.accessSummary.total += 1
        if denied { report.accessSummary.denied += 1 }
        if breakGlass { report.accessSummary.underBreakGlass += 1 }
        func count(_ key: String, in counts: inout [String: ComplianceReport.Count]) {
            counts[key, default: .init(key: key)].total += 1
            if denied { counts[key]!.denied += 1 }
            if breakGlass { counts[key]!.underBreakGlass += 1 }
        }
        if let user { count(user, in: &byUser) }
        for patient in patients { count(patient, in: &byPatient) }
        count(period(of: entry.recordedAt), in: &byPeriod)

        if entry.action == "break_glass.open", entry.outcome == .success, let user, let patient = entry.subject {
            var use = ComplianceReport.BreakGlassUse(
                seq: entry.seq, grant: entry.resource?.id ?? "", time: entry.recordedAt.description, user: user, patient: patient)
            use.minutes = fields?["minutes"]?.stringValue.flatMap { Int($0) }
            use.reason = fields?["reason"]?.stringValue
            report.breakGlass.append(use)
            let end = use.minutes.map { entry.recordedAt.microsecondsSinceEpoch + Int64($0) * 60_000_000 }
            latestGrant["\(user)/\(patient)"] = (report.breakGlass.count - 1, end)
        } else if breakGlass, let user {
            for patient in patients {
                guard let grant = latestGrant["\(user)/\(patient)"] else { continue }
                if let end = grant.end, entry.recordedAt.microsecondsSinceEpoch >= end { continue }
                report.breakGlass[grant.index].accessesUnderGrant += 1
            }
        }
        if entry.action == "disclosure.create", entry.outcome == .success {
            var disclosure = ComplianceReport.Disclosure(
                seq: entry.seq, recordedAt: entry.recordedAt.description, recordedBy: user, patient: entry.subject)
            disclosure.disclosedAt = fields?["disclosedAt"]?.stringValue
            disclosure.recipientName = fields?["recipientName"]?.stringValue
            disclosure.recipientAddress = fields?["recipientAddress"]?.stringValue
            disclosure.description = fields?["description"]?.stringValue
            disclosure.purpose = fields?["purpose"]?.stringValue
            report.disclosures.append(disclosure)
        }
    }

    private func failedSignIn(_ entry: LedgerEntry, _ fields: JSONValue?) {
        guard scope.patient == nil else { return }
        let account = entry.resource?.type == "user" ? entry.resource?.id : nil
        if let wanted = scope.user, account != wanted { return }
        report.failedSignIns.append(.init(
            seq: entry.seq, time: entry.recordedAt.description, account: account, clientAddress: entry.actor?.clientAddress,
            method: fields?["method"]?.stringValue, reason: fields?["reason"]?.stringValue))
    }

    private func lockout(_ entry: LedgerEntry, _ fields: JSONValue?) {
        guard scope.patient == nil else { return }
        let account = entry.resource?.type == "user" ? entry.resource?.id : nil
        if let wanted = scope.user, account != wanted { return }
        report.lockouts.append(.init(
            seq: entry.seq, time: entry.recordedAt.description, scope: fields?["scope"]?.stringValue, account: account,
            clientAddress: entry.actor?.clientAddress, until: fields?["until"]?.stringValue))
    }

    private func privilegeChange(_ entry: LedgerEntry, _ fields: JSONValue?) {
        guard scope.patient == nil, entry.outcome == .success else { return }
        let by = entry.actor?.userID
        let target = entry.resource?.id
        if let wanted = scope.user, by != wanted, target != wanted { return }
        func text(_ value: JSONValue?) -> String? {
            value?.stringValue ?? value?.arrayValue.map { $0.compactMap(\.stringValue).joined(separator: ", ") }
        }
        var from = text(fields?["from"])
        var to = text(fields?["to"])
        switch entry.action {
        case "user.invite": to = text(fields?["roles"])
        case KeyRotation.action: to = fields?["newPublicKey"]?.stringValue.map { String($0.prefix(16)) + "…" }
        case "policy.activate": (from, to) = (nil, target)
        default: break
        }
        report.privilegeChanges.append(.init(
            seq: entry.seq, time: entry.recordedAt.description, by: by, action: entry.action, target: target, from: from, to: to))
    }

    // MARK: - Helpers

    private func label(of patient: String) -> ComplianceReport.PatientLabel {
        if shredded.contains(patient) { return .init(shredded: true) }
        guard let row = replay.rows(of: .patients)[patient] else { return .init() }
        func text(_ column: String) -> String? { if case .text(let value) = row[column] { value } else { nil } }
        let name = [text("given_name"), text("family_name")].compactMap { $0 }.joined(separator: " ")
        return .init(mrn: text("mrn"), name: name.isEmpty ? nil : name)
    }

    /// Days for a window of up to 62 days, else months: a chart of a year stays readable.
    private var byMonth: Bool { scope.to - scope.from > 62 * 86_400_000_000 }

    private func period(of time: LedgerTimestamp) -> String {
        String(time.description.prefix(byMonth ? 7 : 10))
    }

    /// Every period of the window, in order, so that a chart shows quiet days too.
    private func periods() -> [String] {
        var result: [String] = []
        var day = scope.from - ((scope.from % 86_400_000_000) + 86_400_000_000) % 86_400_000_000
        while day < scope.to, result.count < 5000 {
            let key = period(of: LedgerTimestamp(microsecondsSinceEpoch: day))
            if result.last != key { result.append(key) }
            day += 86_400_000_000
        }
        return result
    }
}
