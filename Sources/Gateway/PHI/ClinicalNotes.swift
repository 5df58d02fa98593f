import Foundation
import Ledger
import Logging
import PostgresNIO

/// Clinical notes: written once, then amended, never overwritten. Each amendment is a new version with its reason;
/// every version stays readable. Each change is a ledger entry with the text sealed under the patient's data key.
struct ClinicalNotes: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let logger: Logger

    static let kinds = ["progress", "admission", "discharge", "consultation", "procedure", "other"]

    /// One version of a note, with the note's header.
    struct Version: RowDecodable, Equatable {
        let noteID: UUID
        let patientID: UUID
        let kind: String
        let latestVersion: Int
        let createdAt: Date
        let version: Int
        let title: String
        let body: String
        let reason: String?
        let authorID: UUID
        let recordedAt: Date

        static let columns = """
            n.id, n.patient_id, n.kind, n.current_version, n.created_at, v.version, v.title, v.body, v.reason, v.author_id, v.recorded_at
            """

        init(_ row: PostgresRow) throws {
            (noteID, patientID, kind, latestVersion, createdAt, version, title, body, reason, authorID, recordedAt) = try row.decode(
                (UUID, UUID, String, Int, Date, Int, String, String, String?, UUID, Date).self)
        }
    }

    enum Refusal: Error, Equatable {
        /// The note was amended since the version the amendment was based on.
        case amendedMeanwhile
    }

    func create(on request: PatientRequest, kind: String, title: String, body: String) async throws -> Version {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .noteWrite, action: "note.create")
        try grant.requireActive()
        let id = UUID.random()
        let access = PHIAccess(
            principal: principal, action: "note.create", patients: [patientID], resource: .init(type: "note", id: id.text),
            breakGlass: grant.breakGlass)
        let payload: JSONValue = ["noteId": .string(id.text), "kind": .string(kind), "title": .string(title), "body": .string(body)]
        return try await patients.recorder.recordChange(access, payload: payload, otherwise: PatientArchived()) { connection, context, logger in
            let at = context.recordedAt
            let rows = try await connection.query(
                """
                WITH note AS (
                    INSERT INTO clinical_notes (id, patient_id, kind, current_version, author_id, created_at, updated_at, ledger_seq)
                    VALUES (\(id), \(patientID), \(kind), 1, \(principal.userID), \(at), \(at), \(context.seq))
                    RETURNING *
                ), v AS (
                    INSERT INTO clinical_note_versions (note_id, version, title, body, reason, author_id, recorded_at, ledger_seq)
                    VALUES (\(id), 1, \(title), \(body), NULL, \(principal.userID), \(at), \(context.seq))
                    RETURNING *
                )
                SELECT \(unescaped: Version.columns) FROM note n, v
                """, logger: logger)
            return try await Version.decode(rows).first
        }
    }

    /// A version of a note (the latest unless `version` is given), after the read is recorded.
    func read(_ noteID: UUID, version: Int?, on request: PatientRequest) async throws -> Version {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .noteRead, action: "note.read")
        try await recordRead("note.read", patientID, note: noteID.text, grant: grant, by: principal)
        let rows = try await client.query(
            """
            SELECT \(unescaped: Version.columns) FROM clinical_notes n
            JOIN clinical_note_versions v ON v.note_id = n.id AND v.version = coalesce(\(version)::integer, n.current_version)
            WHERE n.id = \(noteID) AND n.patient_id = \(patientID)
            """, logger: logger)
        guard let found = try await Version.decode(rows).first else { throw APIError.notFound }
        return found
    }

    /// Every version of a note, oldest first, after the read is recorded.
    func history(_ noteID: UUID, on request: PatientRequest) async throws -> [Version] {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .noteRead, action: "note.history")
        try await recordRead("note.history", patientID, note: noteID.text, grant: grant, by: principal)
        let rows = try await client.query(
            """
            SELECT \(unescaped: Version.columns) FROM clinical_notes n JOIN clinical_note_versions v ON v.note_id = n.id
            WHERE n.id = \(noteID) AND n.patient_id = \(patientID) ORDER BY v.version
            """, logger: logger)
        let versions = try await Version.decode(rows)
        guard !versions.isEmpty else { throw APIError.notFound }
        return versions
    }

    /// The patient's notes at their latest versions, newest first, after the read is recorded.
    func list(kind: String?, after cursor: [String]?, limit: Int, on request: PatientRequest)
        async throws -> (notes: [Version], next: [String]?) {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .noteRead, action: "note.list")
        let afterTime = try cursor.map { try PageCursor.micros($0[0]) }
        let afterID = try cursor.map { try FieldValidation.uuid($0[1], field: "cursor") }
        try await recordRead("note.list", patientID, note: "*", grant: grant, by: principal)
        let rows = try await client.query(
            """
            SELECT \(unescaped: Version.columns) FROM clinical_notes n
            JOIN clinical_note_versions v ON v.note_id = n.id AND v.version = n.current_version
            WHERE n.patient_id = \(patientID) AND (\(kind)::text IS NULL OR n.kind = \(kind))
              AND (\(afterID)::uuid IS NULL OR (n.created_at, n.id) < (micros_timestamp(\(afterTime)), \(afterID)))
            ORDER BY n.created_at DESC, n.id DESC LIMIT \(limit + 1)
            """, logger: logger)
        let page = PageCursor.page(try await Version.decode(rows), limit: limit) { [PageCursor.key($0.createdAt), $0.noteID.text] }
        return (page.items, page.next)
    }

    /// Adds a version amending `amends`, the latest version the author read; 409 if the note moved on meanwhile.
    /// A title not given stays as it was.
    func amend(
        _ noteID: UUID, amends: Int, title: String?, body: String, reason: String, on request: PatientRequest
    ) async throws -> Version {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .noteWrite, action: "note.amend")
        try grant.requireActive()
        let exists = try await client.query(
            "SELECT 1 FROM clinical_notes WHERE id = \(noteID) AND patient_id = \(patientID)", logger: logger)
        guard try await exists.first(Int.self) != nil else { throw APIError.notFound }
        let access = PHIAccess(
            principal: principal, action: "note.amend", patients: [patientID], resource: .init(type: "note", id: noteID.text),
            breakGlass: grant.breakGlass)
        var payload: [String: JSONValue] = [
            "noteId": .string(noteID.text), "version": .number(Double(amends + 1)), "body": .string(body), "reason": .string(reason),
        ]
        if let title { payload["title"] = .string(title) }
        return try await patients.recorder.recordChange(access, payload: .object(payload), otherwise: Refusal.amendedMeanwhile) {
            connection, context, logger in
            let at = context.recordedAt
            let rows = try await connection.query(
                """
                WITH note AS (
                    UPDATE clinical_notes SET current_version = current_version + 1, updated_at = \(at), ledger_seq = \(context.seq)
                    WHERE id = \(noteID) AND patient_id = \(patientID) AND current_version = \(amends)
                    RETURNING *
                ), v AS (
                    INSERT INTO clinical_note_versions (note_id, version, title, body, reason, author_id, recorded_at, ledger_seq)
                    SELECT note.id, note.current_version,
                           coalesce(\(title), (SELECT title FROM clinical_note_versions WHERE note_id = \(noteID) AND version = \(amends))),
                           \(body), \(reason), \(principal.userID), \(at), \(context.seq)
                    FROM note
                    RETURNING *
                )
                SELECT \(unescaped: Version.columns) FROM note n, v
                """, logger: logger)
            return try await Version.decode(rows).first
        }
    }

    private func recordRead(_ action: String, _ patientID: UUID, note: String, grant: PatientGrant, by principal: Principal) async throws {
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: action, patients: [patientID], resource: .init(type: "note", id: note),
            breakGlass: grant.breakGlass))
    }
}

extension ClinicalNotes.Refusal: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .amendedMeanwhile: .conflict("The note was amended meanwhile; read its latest version and amend that.")
        }
    }
}
