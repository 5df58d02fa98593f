import Foundation
import Ledger
import Logging
import PostgresNIO

/// Patients' demographics: each change one ledger entry (its fields sealed under the patient's data key) written
/// with the projection row and an access-log row, in one transaction; each read recorded before it is answered.
struct PatientRegistry: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        case mrnTaken
        case changedMeanwhile
    }

    var recorder: AccessRecorder { patients.recorder }

    func create(_ fields: PatientFields, by principal: Principal) async throws -> PatientRecord {
        try patients.access.require(principal, .patientCreate)
        guard let mrn = fields.mrn, let family = fields.familyName, let given = fields.givenName, let birth = fields.birthDate,
              let sex = fields.sex else { throw APIError.badRequest("Give mrn, familyName, givenName, birthDate and sex.") }
        let id = UUID.random()
        // The registering clinician cares for the patient from the start; others add the team afterwards.
        let joinsTeam = principal.roles.contains(Role.clinician.rawValue)
        let access = PHIAccess(principal: principal, action: "patient.create", patients: [id], resource: .init(type: "patient", id: id.text))
        return try await append(access, payload: fields.json, otherwise: .mrnTaken) { connection, context, logger in
            let inserted = try await connection.query(
                """
                INSERT INTO patients (id, mrn, family_name, given_name, birth_date, sex, created_at, updated_at, ledger_seq)
                VALUES (\(id), \(mrn), \(family), \(given), \(birth)::date, \(sex), \(context.recordedAt), \(context.recordedAt),
                        \(context.seq))
                ON CONFLICT (mrn) DO NOTHING RETURNING \(unescaped: PatientRecord.columns)
                """, logger: logger)
            guard let created = try await PatientRecord.decode(inserted).first else { return nil }
            if joinsTeam {
                try await connection.run(
                    """
                    INSERT INTO care_team_members (patient_id, user_id, team_role, added_at, ledger_seq)
                    VALUES (\(id), \(principal.userID), 'attending', \(context.recordedAt), \(context.seq))
                    """, logger: logger)
            }
            return created
        }
    }

    /// The patient as the access check read them, returned only after the read is recorded.
    func read(_ request: PatientRequest) async throws -> PatientRecord {
        let (id, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .patientRead, action: "patient.read")
        try await recorder.record(PHIAccess(
            principal: principal, action: "patient.read", patients: [id], resource: .init(type: "patient", id: id.text),
            breakGlass: grant.breakGlass))
        return grant.standing.record
    }

    /// How often an update without an expected version is tried when the patient keeps changing under it.
    static let updateAttempts = 10

    /// Changes the fields given. The change is written as of the version the access check read, so the record
    /// returned is exactly the row it leaves; if the patient changed in between, the update is tried again on the new
    /// version, unless the caller asked for `expectedVersion`.
    func update(_ fields: PatientFields, expectedVersion: Int?, on request: PatientRequest) async throws -> PatientRecord {
        let (id, principal) = (request.patientID, request.principal)
        var request = request
        for attempt in 1...Self.updateAttempts {
            // A retry is for a patient that changed meanwhile: its standing is read again.
            if attempt > 1 { request = try await patients.request(by: principal, on: id) }
            let grant = try await patients.authorize(request, .patientUpdate, action: "patient.update")
            try grant.requireActive()
            let current = grant.standing.record
            if let expectedVersion, expectedVersion != current.version { throw Refusal.changedMeanwhile }
            var payload = fields.json
            if let expectedVersion { payload = payload.adding(["fromVersion": .string(String(expectedVersion))]) }
            let access = PHIAccess(
                principal: principal, action: "patient.update", patients: [id], resource: .init(type: "patient", id: id.text),
                breakGlass: grant.breakGlass)
            do {
                let receipt = try await refusingTakenMRN {
                    try await recorder.recordChange(access, payload: payload, batched: [
                        PatientUpdate(patientID: id, fromVersion: current.version, fromSeq: grant.standing.recordSeq, fields: fields).row,
                    ])
                }
                return current.applying(fields, at: receipt.recordedAt)
            } catch let error where LedgerWriteError.isRowChangedMeanwhile(error) {
                if expectedVersion != nil || attempt == Self.updateAttempts { throw Refusal.changedMeanwhile }
            }
        }
        throw Refusal.changedMeanwhile
    }

    func archive(_ request: PatientRequest) async throws -> PatientRecord {
        let (id, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .patientArchive, action: "patient.archive")
        try grant.requireActive()
        let access = PHIAccess(
            principal: principal, action: "patient.archive", patients: [id], resource: .init(type: "patient", id: id.text),
            breakGlass: grant.breakGlass)
        return try await append(access, payload: ["status": "archived"], otherwise: .changedMeanwhile) { connection, context, logger in
            try await PatientRecord.decode(connection.query(
                """
                UPDATE patients SET status = 'archived', version = version + 1, updated_at = \(context.recordedAt),
                    ledger_seq = \(context.seq)
                WHERE id = \(id) AND status = 'active' RETURNING \(unescaped: PatientRecord.columns)
                """, logger: logger)).first
        }
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
        let viaTeam = reach.through.contains(.careTeam), viaGrant = reach.through.contains(.breakGlass)
        let namePrefix = search.name.map { Self.likePrefix($0.lowercased()) }
        let afterFamily = cursor?[0], afterGiven = cursor?[1], afterID = try cursor.map { try FieldValidation.uuid($0[2], field: "cursor") }
        // The relation columns come last, after those `PatientRecord` reads.
        let rows = try await client.query(
            """
            SELECT \(unescaped: PatientRecord.columns), r.on_care_team, r.break_glass
            FROM patients p, patient_relation(p.id, \(principal.userID), \(clock())) r
            WHERE status = \(search.status)
              AND (\(namePrefix)::text IS NULL OR lower(family_name) LIKE \(namePrefix) OR lower(given_name) LIKE \(namePrefix))
              AND (\(search.mrn)::text IS NULL OR mrn = \(search.mrn))
              AND (\(search.birthDate)::date IS NULL OR birth_date = \(search.birthDate)::date)
              AND (\(afterID)::uuid IS NULL OR (lower(family_name), lower(given_name), id) > (\(afterFamily), \(afterGiven), \(afterID)))
              AND (\(reach.everything) OR (\(viaTeam) AND r.on_care_team) OR (\(viaGrant) AND r.break_glass))
            ORDER BY lower(family_name), lower(given_name), id
            LIMIT \(limit + 1)
            """, logger: logger)
        var found: [(PatientRecord, AccessFacts)] = []
        for try await row in rows { found.append((try PatientRecord(row), try PatientAccess.facts(row))) }
        let page = PageCursor.page(found, limit: limit) { [$0.0.familyName.lowercased(), $0.0.givenName.lowercased(), $0.0.id.text] }
        let (allowed, breakGlass) = patients.allowed(page.items, .patientRead, for: principal)
        try await recorder.record(PHIAccess(
            principal: principal, action: "patient.list", patients: allowed.map(\.id), resource: .init(type: "patient", id: "*"),
            breakGlass: breakGlass))
        return (allowed, page.next)
    }

    /// Appends a change recorded as `access`, its payload sealed, with `change` and the access-log row as projection.
    /// `change` returns the patient as it leaves them; nil means the change did not apply, and `refusal` is thrown
    /// with nothing written.
    private func append(
        _ access: PHIAccess, payload: JSONValue, otherwise refusal: Refusal,
        _ change: @escaping @Sendable (PostgresConnection, AppendContext, Logger) async throws -> PatientRecord?
    ) async throws -> PatientRecord {
        try await refusingTakenMRN {
            try await recorder.recordChange(access, payload: payload, otherwise: refusal, making: change)
        }
    }

    /// Runs a change, answering a unique violation (the MRN, the one unique demographic) as `Refusal.mrnTaken`.
    private func refusingTakenMRN<Changed>(_ change: () async throws -> Changed) async throws -> Changed {
        do {
            return try await change()
        } catch let error where PostgresErrorText.sqlState(of: error) == "23505" {
            throw Refusal.mrnTaken
        }
    }

    /// A LIKE pattern matching values that start with `prefix`, its wildcards escaped.
    static func likePrefix(_ prefix: String) -> String {
        likeEscaped(prefix) + "%"
    }

    /// `text` with LIKE's wildcards and escape character escaped, to match literally.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

extension PatientRegistry.Refusal: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .mrnTaken: .conflict("Another patient has this medical record number.")
        case .changedMeanwhile: .conflict("The patient was changed meanwhile; read it again and retry.")
        }
    }
}
