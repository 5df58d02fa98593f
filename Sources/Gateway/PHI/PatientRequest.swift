import Foundation
import PostgresNIO

/// A signed-in caller's request on one patient's records, with the caller's standing toward the patient as read in
/// the statement that checked the session.
struct PatientRequest: Sendable {
    let principal: Principal
    let patientID: UUID
    /// nil when there is no such patient.
    let standing: PatientStanding?
}

extension Authenticator {
    /// `authenticate(authorization:)` for a request on `patientID`'s records: the session and the caller's standing
    /// toward the patient are read in one statement (`SessionAndStandingStatement`).
    func authenticate(authorization: String?, toward patientID: UUID) async throws -> PatientRequest {
        let token = try verify(authorization)
        let check = sessions.check(token.sessionID, of: token.userID, at: token.now)
        var found: SessionAndStandingStatement.Row?
        let rows = try await sessions.client.execute(SessionAndStandingStatement(session: check, patientID: patientID), logger: logger)
        for try await row in rows { found = row }
        let principal = try principal(token, standing: found?.session.standing)
        if let session = found?.session { try await sessions.recordUse(token.sessionID, session, at: token.now) }
        return PatientRequest(principal: principal, patientID: patientID, standing: found?.patient)
    }
}

extension GatewayHandlers {
    /// The request's caller, with their standing toward the patient `patientID` names, or 401. When `patientID` throws
    /// (an id that is not one), the caller is authenticated first all the same, so that 401 comes before anything
    /// else.
    func signedIn(toward patientID: @autoclosure () throws -> UUID) async throws -> PatientRequest {
        let id: UUID
        do {
            id = try patientID()
        } catch {
            _ = try await signedIn()
            throw error
        }
        return try await sessions.authenticator.authenticate(authorization: RequestScope.current?.authorization, toward: id)
    }
}
