import Ledger

/// What replay can read of an entry's payload.
enum ReplayPayload: Sendable {
    /// In clear, or sealed and opened with the subject's data key.
    case known(JSONValue)
    /// Sealed, with no key to open it (no KEK given, or the subject was shredded).
    case sealed
    case none

    var json: JSONValue? {
        if case .known(let value) = self { value } else { nil }
    }
}

/// Rebuilds the gateway's projections from the ledger, entry by entry in seq order, as the gateway wrote them in
/// each entry's transaction (`Sources/Gateway/PHI`, `Accounts`, `Policy`). Only successful entries change
/// projections. A value whose entry is sealed and cannot be opened becomes unknown, and is then not compared.
/// Pure: the caller reads the chain and opens the payloads.
struct ProjectionReplay {
    /// Replayed rows by table, then by key (as `ProjectionTable.select` writes it).
    private(set) var tables: [ProjectionTable: [String: ReplayedRow]] = [:]
    /// Patients whose care team changed in entries that could not be opened: their members are not compared.
    private(set) var uncertainCareTeams: Set<String> = []

    func rows(of table: ProjectionTable) -> [String: ReplayedRow] { tables[table] ?? [:] }

    mutating func apply(_ entry: LedgerEntry, payload: ReplayPayload) {
        guard entry.outcome == .success, let resource = entry.resource?.id else { return }
        let seq = String(entry.seq)
        let at = String(entry.recordedAt.microsecondsSinceEpoch)
        let actor = entry.actor?.userID
        let fields = payload.json
        switch entry.action {
        case "user.invite":
            // A new invite for an account already invited changes only the invite, which is not replayed.
            guard fields?["reason"]?.stringValue != "new invite" else { return }
            var row = ReplayedRow(.users)
            row.set("roles", fields?["roles"]?.arrayValue.map(Self.joined))
            row.set("status", "invited")
            row.set("ledger_seq", seq)
            put(row, resource)
        case "user.enroll":
            update(.users, resource) { $0.set("status", "active"); $0.set("ledger_seq", seq) }
        case "user.roles.change":
            update(.users, resource) { $0.set("roles", fields?["to"]?.arrayValue.map(Self.joined)); $0.set("ledger_seq", seq) }
        case "user.disable", "user.enable":
            update(.users, resource) { $0.set("status", fields?["to"]?.stringValue); $0.set("ledger_seq", seq) }
        case "auth.password.change":
            update(.users, resource) { $0.set("ledger_seq", seq) }
        case "policy.activate":
            var row = ReplayedRow(.policyActivations)
            row.set("policy_hash", resource)
            put(row, seq)
        case "patient.create":
            var row = ReplayedRow(.patients)
            if let fields { for (field, column) in Self.patientFields { row.set(column, fields[field]?.stringValue) } }
            row.set("status", "active")
            row.set("version", "1")
            row.set("created_at", at)
            row.set("updated_at", at)
            row.set("ledger_seq", seq)
            put(row, resource)
            // A clinician who registers a patient joins the care team as attending.
            if let actor, entry.actor?.roles.contains("clinician") == true {
                var member = ReplayedRow(.careTeamMembers)
                member.set("patient_id", resource)
                member.set("team_role", "attending")
                member.set("added_at", at)
                member.set("ledger_seq", seq)
                put(member, "\(resource)/\(actor)")
            }
        case "patient.update":
            update(.patients, resource) { row in
                for (field, column) in Self.patientFields {
                    if let fields {
                        if let value = fields[field]?.stringValue { row.set(column, value) }
                    } else {
                        row[column] = .unknown
                    }
                }
                Self.advance(&row, seq: seq, at: at, versionColumn: "version")
            }
        case "patient.archive":
            update(.patients, resource) { row in
                row.set("status", "archived")
                Self.advance(&row, seq: seq, at: at, versionColumn: "version")
            }
        case "patient.shred":
            shred(patient: resource)
        case "care_team.add":
            guard let patient = entry.subject else { return }
            guard let fields, let user = fields["userId"]?.stringValue else { uncertainCareTeams.insert(patient); return }
            let key = "\(patient)/\(user)"
            var member = rows(of: .careTeamMembers)[key] ?? {
                var fresh = ReplayedRow(.careTeamMembers)
                fresh.set("patient_id", patient)
                fresh.set("added_at", at)
                return fresh
            }()
            member.set("team_role", fields["teamRole"]?.stringValue)
            member.set("ledger_seq", seq)
            put(member, key)
        case "care_team.remove":
            guard let patient = entry.subject else { return }
            guard let user = fields?["userId"]?.stringValue else { uncertainCareTeams.insert(patient); return }
            tables[.careTeamMembers]?["\(patient)/\(user)"] = nil
        case "break_glass.open":
            var grant = ReplayedRow(.breakGlassGrants)
            grant.set("user_id", actor)
            grant.set("patient_id", entry.subject)
            grant.set("granted_at", at)
            grant.set("ledger_seq", seq)
            if let fields {
                grant.set("reason", fields["reason"]?.stringValue)
                let minutes = fields["minutes"]?.stringValue.flatMap { Int64($0) }
                grant.set("expires_at", minutes.map { String(entry.recordedAt.microsecondsSinceEpoch + $0 * 60_000_000) })
            }
            put(grant, resource)
        case "note.create":
            var note = ReplayedRow(.clinicalNotes)
            note.set("patient_id", entry.subject)
            note.set("current_version", "1")
            note.set("author_id", actor)
            note.set("created_at", at)
            note.set("updated_at", at)
            note.set("ledger_seq", seq)
            var version = ReplayedRow(.clinicalNoteVersions)
            version.set("note_id", resource)
            version.set("reason", nil)
            version.set("author_id", actor)
            version.set("recorded_at", at)
            version.set("ledger_seq", seq)
            if let fields {
                note.set("kind", fields["kind"]?.stringValue)
                version.set("title", fields["title"]?.stringValue)
                version.set("body", fields["body"]?.stringValue)
            }
            put(note, resource)
            put(version, "\(resource)/1")
        case "note.amend":
            guard var note = rows(of: .clinicalNotes)[resource], case .text(let current) = note["current_version"],
                  let previous = Int(current) else { return }
            Self.advance(&note, seq: seq, at: at, versionColumn: "current_version")
            put(note, resource)
            var version = ReplayedRow(.clinicalNoteVersions)
            version.set("note_id", resource)
            version.set("author_id", actor)
            version.set("recorded_at", at)
            version.set("ledger_seq", seq)
            if let fields {
                // A title not given stays as it was.
                version["title"] = fields["title"]?.stringValue.map { ReplayedValue($0) }
                    ?? rows(of: .clinicalNoteVersions)["\(resource)/\(previous)"]?["title"] ?? .unknown
                version.set("body", fields["body"]?.stringValue)
                version.set("reason", fields["reason"]?.stringValue)
            }
            put(version, "\(resource)/\(previous + 1)")
        case "task.create":
            var task = ReplayedRow(.careTasks)
            task.set("patient_id", entry.subject)
            task.set("created_by", actor)
            task.set("version", "1")
            task.set("created_at", at)
            task.set("updated_at", at)
            task.set("ledger_seq", seq)
            if let fields {
                task.set("title", fields["title"]?.stringValue)
                task.set("status", fields["status"]?.stringValue ?? "open")
                task.set("priority", fields["priority"]?.stringValue ?? "normal")
                task["due_at"] = Self.micros(fields["dueAt"] ?? .null)
                task.set("assignee_id", fields["assigneeId"]?.stringValue)
                task.set("tags", Self.tags(fields["tags"]) ?? "")
            }
            put(task, resource)
        case "task.update":
            update(.careTasks, resource) { task in
                guard let fields else {
                    for column in ["title", "status", "priority", "due_at", "assignee_id", "tags"] { task[column] = .unknown }
                    Self.advance(&task, seq: seq, at: at, versionColumn: "version")
                    return
                }
                for column in ["title", "status", "priority"] {
                    if let value = fields[column]?.stringValue { task.set(column, value) }
                }
                if let due = fields["dueAt"] { task["due_at"] = Self.micros(due) }
                if let assignee = fields["assigneeId"] { task.set("assignee_id", assignee.stringValue) }
                if let tags = Self.tags(fields["tags"]) { task.set("tags", tags) }
                Self.advance(&task, seq: seq, at: at, versionColumn: "version")
            }
        case "disclosure.create":
            var disclosure = ReplayedRow(.disclosures)
            disclosure.set("patient_id", entry.subject)
            disclosure.set("recorded_by", actor)
            disclosure.set("recorded_at", at)
            disclosure.set("ledger_seq", seq)
            if let fields {
                disclosure["disclosed_at"] = Self.micros(fields["disclosedAt"] ?? .null)
                for (field, column) in [
                    ("recipientName", "recipient_name"), ("recipientAddress", "recipient_address"), ("description", "description"),
                    ("purpose", "purpose"),
                ] {
                    disclosure.set(column, fields[field]?.stringValue)
                }
            }
            put(disclosure, resource)
        default:
            break
        }
    }

    /// The payload's field names for the patients table's sealed columns.
    private static let patientFields = [
        "mrn": "mrn", "familyName": "family_name", "givenName": "given_name", "birthDate": "birth_date", "sex": "sex",
    ]

    private mutating func put(_ row: ReplayedRow, _ key: String) {
        tables[row.table, default: [:]][key] = row
    }

    /// Changes a row replay already holds; a change to a row it never saw created is left to the comparison,
    /// which reports the stored row as written by no entry.
    private mutating func update(_ table: ProjectionTable, _ key: String, _ change: (inout ReplayedRow) -> Void) {
        guard var row = tables[table]?[key] else { return }
        change(&row)
        tables[table]?[key] = row
    }

    /// A change's effect on a row's version, update time and writing entry.
    private static func advance(_ row: inout ReplayedRow, seq: String, at: String, versionColumn: String) {
        if case .text(let text) = row[versionColumn], let version = Int(text) { row.set(versionColumn, String(version + 1)) } else {
            row[versionColumn] = .unknown
        }
        row.set("updated_at", at)
        row.set("ledger_seq", seq)
    }

    /// Everything about the patient goes with them (the tables' ON DELETE CASCADE).
    private mutating func shred(patient: String) {
        tables[.patients]?[patient] = nil
        let notes = Set(rows(of: .clinicalNotes).filter { $0.value["patient_id"] == .text(patient) }.keys)
        for table in [ProjectionTable.careTeamMembers, .breakGlassGrants, .clinicalNotes, .careTasks, .disclosures] {
            tables[table] = tables[table]?.filter { $0.value["patient_id"] != .text(patient) }
        }
        tables[.clinicalNoteVersions] = tables[.clinicalNoteVersions]?.filter { key, _ in
            !notes.contains(String(key.prefix { $0 != "/" }))
        }
        uncertainCareTeams.remove(patient)
    }

    private static func joined(_ values: [JSONValue]) -> String {
        values.compactMap(\.stringValue).joined(separator: ",")
    }

    private static func tags(_ value: JSONValue?) -> String? {
        value?.arrayValue.map { $0.compactMap(\.stringValue).sorted().joined(separator: ",") }
    }

    /// A time in a payload (`LedgerTimestamp`'s form) as microseconds; null stays null. A time in any other form
    /// is unknown rather than a mismatch.
    private static func micros(_ value: JSONValue) -> ReplayedValue {
        if case .null = value { return .null }
        guard let text = value.stringValue, let time = LedgerTimestamp(parsing: text) else { return .unknown }
        return .text(String(time.microsecondsSinceEpoch))
    }
}
