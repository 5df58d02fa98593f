import Foundation
import Ledger
import Logging
import PostgresNIO

/// Emergency access outside the care team (DESIGN §4): a reason is required, the grant ends by itself after the
/// minutes asked for, opening it is a ledger entry, and every access under it is flagged for compliance.
struct BreakGlass: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let clock: @Sendable () -> Date
    let logger: Logger

    struct Grant: Sendable, Equatable {
        let id: UUID
        let userID: UUID
        let patientID: UUID
        let reason: String
        let grantedAt: Date
        let expiresAt: Date
    }

    func open(for patientID: UUID, reason: String, minutes: Int, by principal: Principal) async throws -> Grant {
        try patients.access.require(principal, .breakGlassUse)
        guard try await patients.standing(of: principal, toward: patientID) != nil else { throw APIError.notFound }
        let id = UUID.random()
        let access = PHIAccess(
            principal: principal, action: "break_glass.open", patients: [patientID], resource: .init(type: "break_glass", id: id.text),
            breakGlass: true)
        let receipt = try await patients.recorder.recordChange(
            access, payload: ["reason": .string(reason), "minutes": .string(String(minutes))]
        ) { connection, context, logger in
            let granted = context.recordedAt
            try await connection.run(
                """
                INSERT INTO break_glass_grants (id, user_id, patient_id, reason, granted_at, expires_at, ledger_seq)
                VALUES (\(id), \(principal.userID), \(patientID), \(reason), \(granted), \(granted.adding(seconds: minutes * 60)),
                        \(context.seq))
                """, logger: logger)
        }
        logger.notice("break-glass access opened", metadata: [
            "user_id": "\(principal.userID.text)", "grant_id": "\(id.text)", "minutes": "\(minutes)",
        ])
        let granted = receipt.recordedAt.date
        return Grant(
            id: id, userID: principal.userID, patientID: patientID, reason: reason, grantedAt: granted,
            expiresAt: granted.addingTimeInterval(Double(minutes * 60)))
    }

    /// Grants newest first, for compliance; recorded as a `break_glass.list` access to the patients named.
    func list(userID: UUID?, patientID: UUID?, activeOnly: Bool?, after cursor: [String]?, limit: Int, by principal: Principal)
        async throws -> (grants: [Grant], next: [String]?) {
        try patients.access.require(principal, .breakGlassRead)
        let now = clock()
        let afterTime = try cursor.map { try PageCursor.micros($0[0]) }
        let afterID = try cursor.map { try FieldValidation.uuid($0[1], field: "cursor") }
        let rows = try await client.query(
            """
            SELECT id, user_id, patient_id, reason, granted_at, expires_at FROM break_glass_grants
            WHERE (\(userID)::uuid IS NULL OR user_id = \(userID)) AND (\(patientID)::uuid IS NULL OR patient_id = \(patientID))
              AND (\(activeOnly)::boolean IS NULL OR (expires_at > \(now)) = \(activeOnly))
              AND (\(afterID)::uuid IS NULL OR (granted_at, id) < (micros_timestamp(\(afterTime)), \(afterID)))
            ORDER BY granted_at DESC, id DESC LIMIT \(limit + 1)
            """, logger: logger)
        var grants: [Grant] = []
        for try await (id, user, patient, reason, granted, expires) in rows.decode((UUID, UUID, UUID, String, Date, Date).self) {
            grants.append(Grant(id: id, userID: user, patientID: patient, reason: reason, grantedAt: granted, expiresAt: expires))
        }
        let page = PageCursor.page(grants, limit: limit) { [PageCursor.key($0.grantedAt), $0.id.text] }
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: "break_glass.list", patients: Array(Set(page.items.map(\.patientID))).sorted { $0.text < $1.text },
            resource: .init(type: "break_glass", id: "*")))
        return (page.items, page.next)
    }
}
