/// A table the gateway writes in the transaction of a ledger entry, which `--replay` rebuilds from the ledger and
/// compares with what is stored. Each value is compared in one text form that the ledger's JSON and PostgreSQL
/// both give: ids as lowercase text, times as whole microseconds since 1970, dates as `YYYY-MM-DD`, lists joined
/// with commas.
///
/// Not replayed, on purpose: sessions, refresh tokens, enrolment invites, passkeys' counters and the login
/// throttle hold secrets or moving state that the ledger records as events but not as values; `users.email`,
/// `users.name` and password hashes are not in the ledger at all.
enum ProjectionTable: String, CaseIterable, Sendable {
    case users
    case policyActivations = "policy_activations"
    case patients
    case careTeamMembers = "care_team_members"
    case breakGlassGrants = "break_glass_grants"
    case clinicalNotes = "clinical_notes"
    case clinicalNoteVersions = "clinical_note_versions"
    case careTasks = "care_tasks"
    case disclosures

    var name: String { rawValue }

    /// The compared columns, in the order `select` returns them after the key.
    var columns: [String] { definition.map(\.column) }

    /// The index of `column` in `columns`.
    func index(of column: String) -> Int {
        guard let index = columns.firstIndex(of: column) else { preconditionFailure("\(name) has no column \(column)") }
        return index
    }

    /// The query that reads the stored rows: the key as text, then each column's text form.
    var select: String {
        let alias = "t"
        let expressions = definition.map(\.expression).joined(separator: ", ")
        return "SELECT \(keyExpression), \(expressions) FROM \(name) \(alias) ORDER BY 1"
    }

    /// The row key as text, as `ProjectionReplay` writes it.
    private var keyExpression: String {
        switch self {
        case .policyActivations: "t.ledger_seq::text"
        case .careTeamMembers: "t.patient_id::text || '/' || t.user_id::text"
        case .clinicalNoteVersions: "t.note_id::text || '/' || t.version::text"
        default: "t.id::text"
        }
    }

    private var definition: [(column: String, expression: String)] {
        switch self {
        case .users:
            [("roles", "array_to_string(t.roles, ',')"), ("status", "t.status"), seq]
        case .policyActivations:
            [("policy_hash", "t.policy_hash")]
        case .patients:
            [
                text("mrn"), text("family_name"), text("given_name"), ("birth_date", "to_char(t.birth_date, 'YYYY-MM-DD')"), text("sex"),
                text("status"), text("version"), micros("created_at"), micros("updated_at"), seq,
            ]
        case .careTeamMembers:
            [text("patient_id"), text("team_role"), micros("added_at"), seq]
        case .breakGlassGrants:
            [text("user_id"), text("patient_id"), text("reason"), micros("granted_at"), micros("expires_at"), seq]
        case .clinicalNotes:
            [
                text("patient_id"), text("kind"), text("current_version"), text("author_id"), micros("created_at"), micros("updated_at"),
                seq,
            ]
        case .clinicalNoteVersions:
            [text("note_id"), text("title"), text("body"), text("reason"), text("author_id"), micros("recorded_at"), seq]
        case .careTasks:
            [
                text("patient_id"), text("title"), text("status"), text("priority"), micros("due_at"), text("assignee_id"),
                (
                    "tags",
                    "coalesce((SELECT string_agg(g.name, ',' ORDER BY g.name) FROM care_task_tags x JOIN tags g ON g.id = x.tag_id "
                        + "WHERE x.task_id = t.id), '')"
                ),
                text("created_by"), text("version"), micros("created_at"), micros("updated_at"), seq,
            ]
        case .disclosures:
            [
                text("patient_id"), micros("disclosed_at"), text("recipient_name"), text("recipient_address"), text("description"),
                text("purpose"), text("recorded_by"), micros("recorded_at"), seq,
            ]
        }
    }

    private var seq: (String, String) { ("ledger_seq", "t.ledger_seq::text") }
    private func text(_ column: String) -> (String, String) { (column, "t.\(column)::text") }
    private func micros(_ column: String) -> (String, String) {
        (column, "(extract(epoch FROM t.\(column)) * 1000000)::bigint::text")
    }
}
