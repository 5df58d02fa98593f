import Foundation
import PostgresNIO

/// The caller's relation to one patient with the patient's record, in one prepared statement: every request on a
/// patient starts with it, and a read answers from the same row rather than asking again.
struct PatientStandingStatement: PostgresPreparedStatement {
    /// Named, not reflected on at every execution (see `LiveSessionStatement.name`).
    static let name = "patient_standing"
    static let sql = query(user: "$1", now: "$2", patient: "$3")
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .timestamptz, .uuid]
    typealias Row = PatientStanding

    let userID: UUID
    let now: Date
    let patientID: UUID

    /// The query with the given parameter references, for statements that read the standing with something else.
    /// Its columns are the patient's, then `ledger_seq`, `on_care_team` and `break_glass`; no row for no patient.
    static func query(user: String, now: String, patient: String) -> String {
        """
        SELECT \(PatientRecord.columns), p.ledger_seq, r.on_care_team, r.break_glass
        FROM patients p, patient_relation(p.id, \(user), \(now)) r WHERE p.id = \(patient)
        """
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(userID)
        bindings.append(now)
        bindings.append(patientID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        PatientStanding(try row.decode(PatientStanding.Columns.self))
    }
}

extension PatientStanding {
    /// The columns of `PatientStandingStatement.query`, in order.
    typealias Columns = (UUID, String, String, String, String, String, String, Int, Date, Date, Int64, Bool, Bool)

    init(_ columns: Columns) {
        let (id, mrn, family, given, birth, sex, status, version, created, updated, seq, onTeam, breakGlass) = columns
        self.init(
            record: PatientRecord(
                id: id, mrn: mrn, familyName: family, givenName: given, birthDate: birth, sex: sex, status: status,
                version: version, createdAt: created, updatedAt: updated),
            recordSeq: seq, facts: AccessFacts(onCareTeam: onTeam, breakGlass: breakGlass))
    }
}
