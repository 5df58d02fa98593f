import Foundation
import Ledger
import PostgresNIO

/// A patient's demographics as the projection holds them.
struct PatientRecord: Sendable, Equatable {
    let id: UUID
    let mrn: String
    let familyName: String
    let givenName: String
    /// `YYYY-MM-DD`.
    let birthDate: String
    let sex: String
    let status: String
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, in order.
    static let columns = "id, mrn, family_name, given_name, birth_date::text, sex, status, version, created_at, updated_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [PatientRecord] {
        var records: [PatientRecord] = []
        for try await (id, mrn, family, given, birth, sex, status, version, created, updated) in rows.decode(
            (UUID, String, String, String, String, String, String, Int, Date, Date).self) {
            records.append(PatientRecord(
                id: id, mrn: mrn, familyName: family, givenName: given, birthDate: birth, sex: sex, status: status, version: version,
                createdAt: created, updatedAt: updated))
        }
        return records
    }
}

/// Demographic fields, validated: what a create gives in full and an update in part.
struct PatientFields: Sendable, Equatable {
    var mrn: String?
    var familyName: String?
    var givenName: String?
    var birthDate: String?
    var sex: String?

    var isEmpty: Bool { mrn == nil && familyName == nil && givenName == nil && birthDate == nil && sex == nil }

    /// The fields given, for the sealed ledger payload.
    var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let mrn { object["mrn"] = .string(mrn) }
        if let familyName { object["familyName"] = .string(familyName) }
        if let givenName { object["givenName"] = .string(givenName) }
        if let birthDate { object["birthDate"] = .string(birthDate) }
        if let sex { object["sex"] = .string(sex) }
        return .object(object)
    }
}
