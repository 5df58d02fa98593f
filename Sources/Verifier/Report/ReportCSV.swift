import Foundation

/// A report section as CSV (RFC 4180): a header row, then one row per item, CRLF line ends. A cell that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'`, since
/// recipient names and reasons come from users.
enum ReportCSV {
    enum Section: String, CaseIterable, Sendable {
        case accesses, disclosures
        case failedSignIns = "failed-sign-ins"
        case lockouts
        case breakGlass = "break-glass"
        case privilegeChanges = "privilege-changes"
    }

    static func render(_ report: ComplianceReport, section: Section) -> String {
        let person = { (id: String?) in id.flatMap { report.people[$0] } }
        let patient = { (id: String?) in id.flatMap { report.patients[$0] } }
        var rows: [[String?]]
        switch section {
        case .accesses:
            rows = [["seq", "time", "user_id", "user_name", "roles", "action", "patient_ids", "outcome", "break_glass", "purpose_of_use", "client_address"]]
            rows += report.accesses.map { access in
                [
                    String(access.seq), access.time, access.user, person(access.user), access.roles.joined(separator: " "), access.action,
                    access.patients.joined(separator: " "), access.outcome, String(access.breakGlass), access.purposeOfUse,
                    access.clientAddress,
                ]
            }
        case .disclosures:
            rows = [[
                "seq", "disclosed_at", "patient_id", "patient_mrn", "patient_name", "recipient_name", "recipient_address", "description",
                "purpose", "recorded_at", "recorded_by",
            ]]
            rows += report.disclosures.map { disclosure in
                let label = patient(disclosure.patient)
                return [
                    String(disclosure.seq), disclosure.disclosedAt, disclosure.patient, label?.mrn, label?.name, disclosure.recipientName,
                    disclosure.recipientAddress, disclosure.description, disclosure.purpose, disclosure.recordedAt, disclosure.recordedBy,
                ]
            }
        case .failedSignIns:
            rows = [["seq", "time", "account_id", "account_name", "client_address", "method", "reason"]]
            rows += report.failedSignIns.map {
                [String($0.seq), $0.time, $0.account, person($0.account), $0.clientAddress, $0.method, $0.reason]
            }
        case .lockouts:
            rows = [["seq", "time", "scope", "account_id", "client_address", "until"]]
            rows += report.lockouts.map { [String($0.seq), $0.time, $0.scope, $0.account, $0.clientAddress, $0.until] }
        case .breakGlass:
            rows = [["seq", "time", "grant_id", "user_id", "user_name", "patient_id", "minutes", "reason", "accesses_under_grant"]]
            rows += report.breakGlass.map {
                [
                    String($0.seq), $0.time, $0.grant, $0.user, person($0.user), $0.patient, $0.minutes.map(String.init), $0.reason,
                    String($0.accessesUnderGrant),
                ]
            }
        case .privilegeChanges:
            rows = [["seq", "time", "by_id", "by_name", "action", "target", "from", "to"]]
            rows += report.privilegeChanges.map {
                [String($0.seq), $0.time, $0.by, person($0.by), $0.action, $0.target, $0.from, $0.to]
            }
        }
        return rows.map { $0.map(cell).joined(separator: ",") + "\r\n" }.joined()
    }

    static func cell(_ value: String?) -> String {
        guard var text = value else { return "" }
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        guard text.unicodeScalars.contains(where: { [",", "\"", "\n", "\r"].contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
