import Foundation
import Ledger
import PostgresNIO

/// A patient's demographics as the projection holds them.
struct PatientRecord: RowDecodable, Equatable {
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

    /// The columns `init(_:)` reads, first in a row, in this order.
    static let columns = "id, mrn, family_name, given_name, birth_date::text, sex, status, version, created_at, updated_at"
}

extension PatientRecord {
    /// Reads the first columns of a row selected with `columns` (further columns may follow).
    init(_ row: PostgresRow) throws {
        (id, mrn, familyName, givenName, birthDate, sex, status, version, createdAt, updatedAt) = try row.decode(
            (UUID, String, String, String, String, String, String, Int, Date, Date).self)
    }

    /// The record as a change of `fields`, recorded at `time`, leaves it: what `PatientUpdate` writes to the row.
    func applying(_ fields: PatientFields, at time: LedgerTimestamp) -> PatientRecord {
        PatientRecord(
            id: id, mrn: fields.mrn ?? mrn, familyName: fields.familyName ?? familyName, givenName: fields.givenName ?? givenName,
            birthDate: fields.birthDate ?? birthDate, sex: fields.sex ?? sex, status: status, version: version + 1,
            createdAt: createdAt, updatedAt: time.storedDate)
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
