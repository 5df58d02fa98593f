import Foundation
import Ledger
import Logging
import PostgresNIO
import Synchronization

/// Patients' care teams: who is on them decides the `care_team` policy condition, so every change is a ledger
/// entry and takes effect on the next request.
struct CareTeams: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let logger: Logger

    struct Member: Sendable, Equatable {
        let userID: UUID
        let name: String
        let teamRole: String
        let addedAt: Date
    }

    enum Refusal: Error, Equatable {
        /// The account does not exist, is not active, or holds no clinical role.
        case notClinicalStaff
        case notAMember
    }

    func members(on request: PatientRequest) async throws -> [Member] {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .careTeamRead, action: "care_team.read")
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: "care_team.read", patients: [patientID], resource: .init(type: "care_team", id: patientID.text),
            breakGlass: grant.breakGlass))
        let rows = try await client.query(
            """
            SELECT c.user_id, u.name, c.team_role, c.added_at FROM care_team_members c JOIN users u ON u.id = c.user_id
            WHERE c.patient_id = \(patientID) ORDER BY c.added_at, c.user_id
            """, logger: logger)
        var members: [Member] = []
        for try await (id, name, role, added) in rows.decode((UUID, String, String, Date).self) {
            members.append(Member(userID: id, name: name, teamRole: role, addedAt: added))
        }
        return members
    }

    /// Adds `userID` to the team, or changes their team role. Only active clinicians and nurses can join.
    func put(_ userID: UUID, teamRole: String, on request: PatientRequest) async throws -> Member {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .careTeamWrite, action: "care_team.add")
        guard let name = try await Self.clinicalStaffName(userID, client: client, logger: logger) else { throw Refusal.notClinicalStaff }
        let access = PHIAccess(
            principal: principal, action: "care_team.add", patients: [patientID], resource: .init(type: "care_team", id: patientID.text),
            breakGlass: grant.breakGlass)
        // Re-joining keeps the first joining time.
        let addedAt = Mutex<Date?>(nil)
        try await patients.recorder.recordChange(
            access, payload: ["userId": .string(userID.text), "teamRole": .string(teamRole)]
        ) { connection, context, logger in
            let member = try await connection.query(
                """
                INSERT INTO care_team_members (patient_id, user_id, team_role, added_at, ledger_seq)
                VALUES (\(patientID), \(userID), \(teamRole), \(context.recordedAt), \(context.seq))
                ON CONFLICT (patient_id, user_id) DO UPDATE SET team_role = EXCLUDED.team_role, ledger_seq = EXCLUDED.ledger_seq
                RETURNING added_at
                """, logger: logger)
            let joined = try await member.first(Date.self)
            addedAt.withLock { $0 = joined }
        }
        return Member(userID: userID, name: name, teamRole: teamRole, addedAt: addedAt.withLock { $0 } ?? Date())
    }

    /// The name of `userID` if it is an active account holding a clinical role (clinician or nurse): those who may
    /// join care teams and be assigned care tasks.
    static func clinicalStaffName(_ userID: UUID, client: PostgresClient, logger: Logger) async throws -> String? {
        let candidate = try await client.query(
            """
            SELECT name FROM users WHERE id = \(userID) AND status = 'active' AND roles && ARRAY['clinician', 'nurse']::text[]
            """, logger: logger)
        return try await candidate.first(String.self)
    }

    func remove(_ userID: UUID, on request: PatientRequest) async throws {
        let (patientID, principal) = (request.patientID, request.principal)
        let grant = try await patients.authorize(request, .careTeamWrite, action: "care_team.remove")
        let access = PHIAccess(
            principal: principal, action: "care_team.remove", patients: [patientID],
            resource: .init(type: "care_team", id: patientID.text), breakGlass: grant.breakGlass)
        try await patients.recorder.recordChange(access, payload: ["userId": .string(userID.text)]) { connection, _, logger in
            let removed = try await connection.query(
                "DELETE FROM care_team_members WHERE patient_id = \(patientID) AND user_id = \(userID) RETURNING user_id", logger: logger)
            guard try await removed.collect().count == 1 else { throw Refusal.notAMember }
        }
    }
}

extension CareTeams.Refusal: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notClinicalStaff: .invalidField("userId", "Only an active account with the clinician or nurse role can join a care team.")
        case .notAMember: .notFound
        }
    }
}
