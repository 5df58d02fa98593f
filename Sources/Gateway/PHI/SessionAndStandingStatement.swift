import Foundation
import PostgresNIO

/// The session check and the caller's standing toward one patient, in one statement: a request on a patient needs
/// both, and asked apart they were two round trips and two statements for the database to run.
struct SessionAndStandingStatement: PostgresPreparedStatement {
    /// Named, not reflected on at every execution (see `LiveSessionStatement.name`).
    static let name = "session_and_standing"
    /// One row when the session is live (its standing columns null when there is no such patient), none when not.
    static let sql = LiveSessionStatement.live + """

        SELECT live.roles, live.stepped_up_at, live.last_seen_at, standing.*
        FROM live LEFT JOIN LATERAL (\(PatientStandingStatement.query(user: "$2", now: "$3", patient: "$5"))) standing ON true
        """
    static let bindingDataTypes = LiveSessionStatement.bindingDataTypes + [.uuid]
    typealias Row = (session: LiveSessions.Found, patient: PatientStanding?)

    let session: LiveSessionStatement
    let patientID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        session.appendBindings(to: &bindings)
        bindings.append(patientID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (roles, steppedUpAt, lastSeenAt, id, mrn, family, given, birth, sex, status, version, created, updated, seq, onTeam,
             breakGlass) = try row.decode(
                ([String], Date?, Date, UUID?, String?, String?, String?, String?, String?, String?, Int?, Date?, Date?, Int64?,
                 Bool?, Bool?).self)
        let session = LiveSessions.Found(standing: LiveSessions.Standing(roles: roles, steppedUpAt: steppedUpAt), lastSeenAt: lastSeenAt)
        guard let id else { return (session, nil) }
        guard let mrn, let family, let given, let birth, let sex, let status, let version, let created, let updated, let seq,
              let onTeam, let breakGlass else {
            throw PostgresDecodingError.Code.missingData
        }
        return (session, PatientStanding((id, mrn, family, given, birth, sex, status, version, created, updated, seq, onTeam, breakGlass)))
    }
}
