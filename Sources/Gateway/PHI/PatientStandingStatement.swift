import Foundation
import PostgresNIO

/// The caller's relation to one patient with the patient's record, in one prepared statement: every request on a
/// patient starts with it, and a read answers from the same row rather than asking again.
struct PatientStandingStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT \(PatientRecord.columns), p.ledger_seq, r.on_care_team, r.break_glass
        FROM patients p, patient_relation(p.id, $1, $2) r WHERE p.id = $3
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .timestamptz, .uuid]
    typealias Row = PatientStanding

    let userID: UUID
    let now: Date
    let patientID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(userID)
        bindings.append(now)
        bindings.append(patientID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, mrn, family, given, birth, sex, status, version, created, updated, seq, onTeam, breakGlass) = try row.decode(
            (UUID, String, String, String, String, String, String, Int, Date, Date, Int64, Bool, Bool).self)
        let record = PatientRecord(
            id: id, mrn: mrn, familyName: family, givenName: given, birthDate: birth, sex: sex, status: status, version: version,
            createdAt: created, updatedAt: updated)
        return PatientStanding(record: record, recordSeq: seq, facts: AccessFacts(onCareTeam: onTeam, breakGlass: breakGlass))
    }
}
