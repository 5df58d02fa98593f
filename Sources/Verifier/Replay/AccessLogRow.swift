import Ledger

/// A row of `phi_access`, the log of who accessed which patient: one per patient per PHI entry, written with the
/// entry. Its values in their compared text forms.
struct AccessLogRow: Equatable, Sendable {
    let seq: Int64
    let patientID: String
    let recordedAt: String
    let userID: String
    let action: String
    let outcome: String
    let breakGlass: Bool

    /// The kinds of entry the gateway's access recorder writes, each with its access-log rows.
    static let families: Set<String> = ["patient", "care_team", "break_glass", "note", "task", "disclosure"]

    /// The rows `entry` should have written, in patient order: for its subject, or for the patients its clear
    /// payload names (a list).
    static func expected(for entry: LedgerEntry) -> [AccessLogRow] {
        guard let family = entry.action.split(separator: ".").first, families.contains(String(family)),
              let user = entry.actor?.userID else { return [] }
        var patients: [String] = []
        if let subject = entry.subject {
            patients = [subject]
        } else if case .clear(let payload) = entry.payload, let named = payload["patients"]?.arrayValue {
            patients = named.compactMap(\.stringValue)
        }
        return patients.sorted().map { patient in
            AccessLogRow(
                seq: entry.seq, patientID: patient, recordedAt: String(entry.recordedAt.microsecondsSinceEpoch), userID: user,
                action: entry.action, outcome: entry.outcome.rawValue, breakGlass: entry.purposeOfUse == "ETREAT")
        }
    }

    /// The query that reads the stored rows in the order `expected` gives them, entry by entry. The ORDER BY names
    /// the table's columns: bare, `ledger_seq` would mean the output column of that name, the seq as text, and
    /// "100" would sort before "11".
    static let select = """
        SELECT ledger_seq::text, patient_id::text, (extract(epoch FROM recorded_at) * 1000000)::bigint::text, user_id::text, action,
               outcome, CASE WHEN break_glass THEN 'true' ELSE 'false' END
        FROM phi_access ORDER BY phi_access.ledger_seq, phi_access.patient_id
        """

    /// A stored row read by `select`; nil when the columns are not what it returns.
    init?(stored columns: [String?]) {
        guard columns.count == 7, let seq = columns[0].flatMap({ Int64($0) }), let patient = columns[1], let at = columns[2],
              let user = columns[3], let action = columns[4], let outcome = columns[5], let flag = columns[6] else { return nil }
        self.init(seq: seq, patientID: patient, recordedAt: at, userID: user, action: action, outcome: outcome, breakGlass: flag == "true")
    }

    init(seq: Int64, patientID: String, recordedAt: String, userID: String, action: String, outcome: String, breakGlass: Bool) {
        self.seq = seq
        self.patientID = patientID
        self.recordedAt = recordedAt
        self.userID = userID
        self.action = action
        self.outcome = outcome
        self.breakGlass = breakGlass
    }

    /// The fields that differ from `other`'s, by column name.
    func differences(from other: AccessLogRow) -> [String] {
        var differing: [String] = []
        if recordedAt != other.recordedAt { differing.append("recorded_at") }
        if userID != other.userID { differing.append("user_id") }
        if action != other.action { differing.append("action") }
        if outcome != other.outcome { differing.append("outcome") }
        if breakGlass != other.breakGlass { differing.append("break_glass") }
        return differing
    }
}
