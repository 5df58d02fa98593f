import Foundation
import Ledger
import Logging
import PostgresNIO

/// Patients' demographics: each change one ledger entry (its fields sealed under the patient's data key) written
/// with the projection row and an access-log row, in one transaction; each read recorded before it is answered.
struct PatientRegistry: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let patients: PatientAccess
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        case mrnTaken
        case changedMeanwhile
        case archived
    }

    var recorder: AccessRecorder { patients.recorder }

    func create(_ fields: PatientFields, by principal: Principal) async throws -> PatientRecord {
        try patients.access.require(principal, .patientCreate)
        guard let mrn = fields.mrn, let family = fields.familyName, let given = fields.givenName, let birth = fields.birthDate,
              let sex = fields.sex else { throw APIError.badRequest("Give mrn, familyName, givenName, birthDate and sex.") }
        let id = UUID()
        // The registering clinician cares for the patient from the start; others add the team afterwards.
        let joinsTeam = principal.roles.contains(Role.clinician.rawValue)
        let access = PHIAccess(principal: principal, action: "patient.create", patients: [id], resource: .init(type: "patient", id: id.text))
        try await append(access, payload: fields.json) { connection, context, logger in
            let inserted = try await connection.query(
                """
                INSERT INTO patients (id, mrn, family_name, given_name, birth_date, sex, created_at, updated_at, ledger_seq)
                VALUES (\(id), \(mrn), \(family), \(given), \(birth)::date, \(sex), \(context.recordedAt.date), \(context.recordedAt.date),
                        \(context.seq))
                ON CONFLICT (mrn) DO NOTHING RETURNING id
                """, logger: logger)
            guard try await inserted.collect().count == 1 else { throw Refusal.mrnTaken }
            if joinsTeam {
                try await connection.query(
                    """
                    INSERT INTO care_team_members (patient_id, user_id, team_role, added_at, ledger_seq)
                    VALUES (\(id), \(principal.userID), 'attending', \(context.recordedAt.date), \(context.seq))
                    """, logger: logger)
            }
        }
        return try await fetch(id)!
    }

    /// The patient, after the read is recorded.
    func read(_ id: UUID, by principal: Principal) async throws -> PatientRecord {
        let grant = try await patients.authorize(principal, .patientRead, patient: id, action: "patient.read")
        try await recorder.record(PHIAccess(
            principal: principal, action: "patient.read", patients: [id], resource: .init(type: "patient", id: id.text),
            breakGlass: grant.breakGlass))
        guard let record = try await fetch(id) else { throw APIError.notFound }
        return record
    }

    func update(_ id: UUID, _ fields: PatientFields, expectedVersion: Int?, by principal: Principal) async throws -> PatientRecord {
        let grant = try await patients.authorize(principal, .patientUpdate, patient: id, action: "patient.update")
        guard grant.standing.status == "active" else { throw Refusal.archived }
        var payload = fields.json
        if let expectedVersion, case .object(var object) = payload {
            object["fromVersion"] = .string(String(expectedVersion))
            payload = .object(object)
        }
        let access = PHIAccess(
            principal: principal, action: "patient.update", patients: [id], resource: .init(type: "patient", id: id.text),
            breakGlass: grant.breakGlass)
        try await append(access, payload: payload) { connection, context, logger in
            let updated = try await connection.query(
                """
                UPDATE patients SET
                    mrn = coalesce(\(fields.mrn), mrn), family_name = coalesce(\(fields.familyName), family_name),
                    given_name = coalesce(\(fields.givenName), given_name), birth_date = coalesce(\(fields.birthDate)::date, birth_date),
                    sex = coalesce(\(fields.sex), sex), version = version + 1, updated_at = \(context.recordedAt.date),
                    ledger_seq = \(context.seq)
                WHERE id = \(id) AND status = 'active' AND (\(expectedVersion)::integer IS NULL OR version = \(expectedVersion))
                RETURNING id
                """, logger: logger)
            guard try await updated.collect().count == 1 else { throw Refusal.changedMeanwhile }
        }
        return try await fetch(id)!
    }

    func archive(_ id: UUID, by principal: Principal) async throws -> PatientRecord {
        let grant = try await patients.authorize(principal, .patientArchive, patient: id, action: "patient.archive")
        guard grant.standing.status == "active" else { throw Refusal.archived }
        let access = PHIAccess(
            principal: principal, action: "patient.archive", patients: [id], resource: .init(type: "patient", id: id.text),
            breakGlass: grant.breakGlass)
        try await append(access, payload: ["status": "archived"]) { connection, context, logger in
            let archived = try await connection.query(
                """
                UPDATE patients SET status = 'archived', version = version + 1, updated_at = \(context.recordedAt.date),
                    ledger_seq = \(context.seq)
                WHERE id = \(id) AND status = 'active' RETURNING id
                """, logger: logger)
            guard try await archived.collect().count == 1 else { throw Refusal.changedMeanwhile }
        }
        return try await fetch(id)!
    }

    /// Search criteria of a patient list.
    struct Search: Sendable {
        var name: String?
        var mrn: String?
        var birthDate: String?
        var status = "active"
    }

    /// One page of the patients the caller may read, in (family name, given name, id) order; the list is recorded
    /// as one `patient.list` entry naming the patients returned.
    func list(_ search: Search, after cursor: [String]?, limit: Int, by principal: Principal) async throws
        -> (patients: [PatientRecord], next: [String]?) {
        let reach = patients.access.policy.reach(roles: principal.roles, permission: .patientRead)
        guard !reach.isEmpty else {
            try patients.access.require(principal, .patientRead)
            return ([], nil)
        }
        let everyone = reach.everything
        let viaTeam = reach.through.contains(.careTeam), viaGrant = reach.through.contains(.breakGlass)
        let namePrefix = search.name.map { Self.likePrefix($0.lowercased()) }
        let afterFamily = cursor?[0], afterGiven = cursor?[1], afterID = try cursor.map { try FieldValidation.uuid($0[2], field: "cursor") }
        let now = clock()
        let rows = try await client.query(
            """
            SELECT \(unescaped: PatientRecord.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                   EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = p.id AND c.user_id = \(principal.userID)),
                   EXISTS (SELECT 1 FROM break_glass_grants g
                           WHERE g.patient_id = p.id AND g.user_id = \(principal.userID) AND g.expires_at > \(now))
            FROM patients p
            WHERE p.status = \(search.status)
              AND (\(namePrefix)::text IS NULL OR lower(p.family_name) LIKE \(namePrefix) OR lower(p.given_name) LIKE \(namePrefix))
              AND (\(search.mrn)::text IS NULL OR p.mrn = \(search.mrn))
              AND (\(search.birthDate)::date IS NULL OR p.birth_date = \(search.birthDate)::date)
              AND (\(afterID)::uuid IS NULL OR (lower(p.family_name), lower(p.given_name), p.id) > (\(afterFamily), \(afterGiven), \(afterID)))
              AND (\(everyone)
                   OR (\(viaTeam) AND EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = p.id AND c.user_id = \(principal.userID)))
                   OR (\(viaGrant) AND EXISTS (SELECT 1 FROM break_glass_grants g
                                               WHERE g.patient_id = p.id AND g.user_id = \(principal.userID) AND g.expires_at > \(now))))
            ORDER BY lower(p.family_name), lower(p.given_name), p.id
            LIMIT \(limit + 1)
            """, logger: logger)
        var found: [(PatientRecord, AccessFacts)] = []
        for try await (id, mrn, family, given, birth, sex, status, version, created, updated, onTeam, grant) in rows.decode(
            (UUID, String, String, String, String, String, String, Int, Date, Date, Bool, Bool).self) {
            found.append((
                PatientRecord(
                    id: id, mrn: mrn, familyName: family, givenName: given, birthDate: birth, sex: sex, status: status, version: version,
                    createdAt: created, updatedAt: updated),
                AccessFacts(onCareTeam: onTeam, breakGlass: grant)))
        }
        var next: [String]?
        if found.count > limit {
            found.removeLast()
            if let last = found.last?.0 { next = [last.familyName.lowercased(), last.givenName.lowercased(), last.id.text] }
        }
        // The query only narrows the candidates; each row is still decided by the policy itself.
        var allowed: [PatientRecord] = []
        var breakGlass = false
        for (record, facts) in found {
            let decision = patients.access.decide(principal, .patientRead, facts: facts)
            guard decision.allowed else { continue }
            allowed.append(record)
            breakGlass = breakGlass || (decision.rule?.when.contains(.breakGlass) ?? false)
        }
        try await recorder.record(PHIAccess(
            principal: principal, action: "patient.list", patients: allowed.map(\.id), resource: .init(type: "patient", id: "*"),
            breakGlass: breakGlass))
        return (allowed, next)
    }

    func fetch(_ id: UUID) async throws -> PatientRecord? {
        let rows = try await client.query("SELECT \(unescaped: PatientRecord.columns) FROM patients WHERE id = \(id)", logger: logger)
        return try await PatientRecord.decode(rows).first
    }

    /// Appends a change recorded as `access`, its payload sealed, with `change` and the access-log row as projection.
    private func append(
        _ access: PHIAccess, payload: JSONValue,
        _ change: @escaping @Sendable (PostgresConnection, AppendContext, Logger) async throws -> Void
    ) async throws {
        let scope = RequestScope.current
        let draft = AccessRecorder.draft(
            for: access, requestID: scope?.requestID, clientAddress: scope?.clientAddress, payload: .phi(payload))
        do {
            _ = try await writer.append(draft) { connection, context, logger in
                do {
                    try await change(connection, context, logger)
                } catch let error where PostgresErrorText.sqlState(of: error) == "23505" {
                    throw Refusal.mrnTaken
                }
                try await AccessRecorder.logChange(access, on: connection, context: context, logger: logger)
            }
        } catch let refusal as Refusal {
            throw refusal
        }
    }

    /// A LIKE pattern matching values that start with `prefix`, its wildcards escaped.
    static func likePrefix(_ prefix: String) -> String {
        prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}

extension PatientRegistry.Refusal {
    var apiError: APIError {
        switch self {
        case .mrnTaken: .conflict("Another patient has this medical record number.")
        case .changedMeanwhile: .conflict("The patient was changed meanwhile; read it again and retry.")
        case .archived: .conflict("The patient is archived; archived records are kept as they are.")
        }
    }
}
