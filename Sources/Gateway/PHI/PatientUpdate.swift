import Foundation
import PostgresNIO

/// One patient update as a row of a statement that updates the patients of a whole batch of appends: the fields
/// given, applied only if the patient is still active at the version the request read.
struct PatientUpdate: Sendable {
    let patientID: UUID
    let fromVersion: Int
    /// The seq of the entry that last changed the patient when `fromVersion` was read.
    let fromSeq: Int64
    let fields: PatientFields

    /// The projection row. It changes the patient's row, so two updates of one patient never share a statement; its
    /// conflict key is also the name `projection_expect` reports when the update no longer applies.
    var row: BatchedRow {
        Self.projector.row(self, conflictKey: Self.keyPrefix + patientID.text, basis: fromSeq)
    }

    /// A patient's conflict key is this and the patient's id as PostgreSQL writes a uuid (lower case). The statement
    /// builds the same key for `projection_expect`, and the writer matches the one it reports against the rows' keys.
    private static let keyPrefix = "patients/"

    /// Raises `BatchStatement.preconditionFailed` for a patient that is gone, archived or at another version, so
    /// that only that update fails (the writer retries the batch without it) and no entry records a change that did
    /// not happen. Absent fields are bound as empty strings, which no stored field can be.
    static let projector = BatchProjector<PatientUpdate>(group: "patients.update") { updates, contexts, sql in
        func column(_ value: (PatientFields) -> String?) -> [String] { updates.map { value($0.fields) ?? "" } }
        let columns = [
            try sql.bind(updates.map(\.patientID)) + "::uuid[]", try sql.bind(updates.map(\.fromVersion)) + "::integer[]",
            try sql.bind(column(\.mrn)) + "::text[]", try sql.bind(column(\.familyName)) + "::text[]",
            try sql.bind(column(\.givenName)) + "::text[]", try sql.bind(column(\.birthDate)) + "::text[]",
            try sql.bind(column(\.sex)) + "::text[]", try sql.bind(contexts.map(\.seq)) + "::bigint[]",
            try sql.bind(contexts.map(\.recordedAt)) + "::timestamptz[]",
        ]
        let key = try sql.bind(keyPrefix) + "::text || c.id"
        sql.append("""
            UPDATE patients p SET
                mrn = coalesce(nullif(c.mrn, ''), p.mrn), family_name = coalesce(nullif(c.family_name, ''), p.family_name),
                given_name = coalesce(nullif(c.given_name, ''), p.given_name),
                birth_date = coalesce(nullif(c.birth_date, '')::date, p.birth_date), sex = coalesce(nullif(c.sex, ''), p.sex),
                version = p.version + 1, updated_at = c.recorded_at, ledger_seq = c.seq
            FROM (SELECT * FROM unnest(\(columns.joined(separator: ", ")))
                      AS c(id, from_version, mrn, family_name, given_name, birth_date, sex, seq, recorded_at)
                  WHERE projection_expect(EXISTS (SELECT 1 FROM patients q WHERE q.id = c.id), \(key))) c
            WHERE p.id = c.id AND projection_expect(p.status = 'active' AND p.version = c.from_version, \(key))
            """)
    }
}
