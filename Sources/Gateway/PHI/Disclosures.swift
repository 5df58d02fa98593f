import Foundation
import Ledger
import Logging
import PostgresNIO

/// Disclosures of a patient's information to people or organisations outside the care relationship, kept for the
/// accounting of disclosures (HIPAA 164.528): date, recipient (and address when known), what was disclosed, and
/// why. Recorded once, as a ledger entry with the details sealed under the patient's data key; never changed.
struct Disclosures: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let logger: Logger

    struct Disclosure: RowDecodable, Equatable {
        let id: UUID
        let patientID: UUID
        let disclosedAt: Date
        let recipientName: String
        let recipientAddress: String?
        let description: String
        let purpose: String
        let recordedBy: UUID
        let recordedAt: Date

        static let columns = """
            id, patient_id, disclosed_at, recipient_name, recipient_address, description, purpose, recorded_by, recorded_at
            """

        init(_ row: PostgresRow) throws {
            (id, patientID, disclosedAt, recipientName, recipientAddress, description, purpose, recordedBy, recordedAt) = try row.decode(
                (UUID, UUID, Date, String, String?, String, String, UUID, Date).self)
        }
    }

    /// What a disclosure records, validated.
    struct Details: Sendable, Equatable {
        let disclosedAt: Date
        let recipientName: String
        let recipientAddress: String?
        let description: String
        let purpose: String

        var json: JSONValue {
            var object: [String: JSONValue] = [
                "disclosedAt": .string(LedgerTimestamp(nearest: disclosedAt).description), "recipientName": .string(recipientName),
                "description": .string(description), "purpose": .string(purpose),
            ]
            if let recipientAddress { object["recipientAddress"] = .string(recipientAddress) }
            return .object(object)
        }
    }

    /// Records a disclosure that was made. Archived patients' disclosures are still recorded: the accounting must
    /// be complete whatever the state of the record.
    func record(_ details: Details, on request: PatientRequest) async throws -> Disclosure {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .disclosureWrite, action: "disclosure.create")
        let id = UUID.random()
        let payload = details.json.adding(["disclosureId": .string(id.text)])
        let access = PHIAccess(
            principal: principal, action: "disclosure.create", patients: [patientID], resource: .init(type: "disclosure", id: id.text),
            breakGlass: grant.breakGlass)
        return try await patients.recorder.recordChange(access, payload: payload, otherwise: APIError.notFound) { connection, context, logger in
            try await Disclosure.decode(connection.query(
                """
                INSERT INTO disclosures (id, patient_id, disclosed_at, recipient_name, recipient_address, description, purpose,
                                         recorded_by, recorded_at, ledger_seq)
                VALUES (\(id), \(patientID), \(LedgerTimestamp(nearest: details.disclosedAt)), \(details.recipientName), \(details.recipientAddress),
                        \(details.description), \(details.purpose), \(principal.userID), \(context.recordedAt), \(context.seq))
                RETURNING \(unescaped: Disclosure.columns)
                """, logger: logger)).first
        }
    }

    /// The patient's disclosures, most recent first, optionally within [from, before); after the read is recorded.
    func list(from: Date?, before: Date?, after cursor: [String]?, limit: Int, on request: PatientRequest)
        async throws -> (disclosures: [Disclosure], next: [String]?) {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .disclosureRead, action: "disclosure.list")
        let afterTime = try cursor.map { try PageCursor.micros($0[0]) }
        let afterID = try cursor.map { try FieldValidation.uuid($0[1], field: "cursor") }
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: "disclosure.list", patients: [patientID], resource: .init(type: "disclosure", id: "*"),
            breakGlass: grant.breakGlass))
        let rows = try await client.query(
            """
            SELECT \(unescaped: Disclosure.columns) FROM disclosures
            WHERE patient_id = \(patientID)
              AND (\(from)::timestamptz IS NULL OR disclosed_at >= \(from))
              AND (\(before)::timestamptz IS NULL OR disclosed_at < \(before))
              AND (\(afterID)::uuid IS NULL OR (disclosed_at, id) < (micros_timestamp(\(afterTime)), \(afterID)))
            ORDER BY disclosed_at DESC, id DESC LIMIT \(limit + 1)
            """, logger: logger)
        let page = PageCursor.page(try await Disclosure.decode(rows), limit: limit) { [PageCursor.key($0.disclosedAt), $0.id.text] }
        return (page.items, page.next)
    }
}
