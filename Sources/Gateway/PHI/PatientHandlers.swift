import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/patients`: demographics, each read and change recorded in the ledger first.
extension GatewayHandlers {
    func createPatient(_ input: Operations.CreatePatient.Input) async throws -> Operations.CreatePatient.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let principal = try await signedIn()
        let fields = PatientFields(
            mrn: try FieldValidation.text(body.mrn, field: "mrn", maximum: 64),
            familyName: try FieldValidation.text(body.familyName, field: "familyName", maximum: 200),
            givenName: try FieldValidation.text(body.givenName, field: "givenName", maximum: 200),
            birthDate: try FieldValidation.birthDate(body.birthDate, field: "birthDate", latest: sessions.clock()),
            sex: body.sex.rawValue)
        return .created(.init(body: .json(.init(try await patients.create(fields, by: principal)))))
    }

    func getPatient(_ input: Operations.GetPatient.Input) async throws -> Operations.GetPatient.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        return .ok(.init(body: .json(.init(try await patients.read(request)))))
    }

    func updatePatient(_ input: Operations.UpdatePatient.Input) async throws -> Operations.UpdatePatient.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let fields = PatientFields(
            mrn: try body.mrn.map { try FieldValidation.text($0, field: "mrn", maximum: 64) },
            familyName: try body.familyName.map { try FieldValidation.text($0, field: "familyName", maximum: 200) },
            givenName: try body.givenName.map { try FieldValidation.text($0, field: "givenName", maximum: 200) },
            birthDate: try body.birthDate.map { try FieldValidation.birthDate($0, field: "birthDate", latest: sessions.clock()) },
            sex: body.sex?.rawValue)
        guard !fields.isEmpty else { throw APIError.badRequest("Give at least one field to change.") }
        let version = try FieldValidation.version(body.version, field: "version")
        return .ok(.init(body: .json(.init(try await patients.update(fields, expectedVersion: version, on: request)))))
    }

    func archivePatient(_ input: Operations.ArchivePatient.Input) async throws -> Operations.ArchivePatient.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        return .ok(.init(body: .json(.init(try await patients.archive(request)))))
    }

    func shredPatient(_ input: Operations.ShredPatient.Input) async throws -> Operations.ShredPatient.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let principal = try await signedIn()
        guard let id = UUID(uuidString: input.path.patientId) else { throw APIError.notFound }
        let reason = try FieldValidation.text(body.reason, field: "reason", maximum: 500, minimum: 10)
        let receipt = try await shredding.shred(id, reason: reason, by: principal)
        return .ok(.init(body: .json(.init(patientId: receipt.patientID.text, seq: receipt.seq, shreddedAt: receipt.shreddedAt))))
    }

    func listPatients(_ input: Operations.ListPatients.Input) async throws -> Operations.ListPatients.Output {
        let principal = try await signedIn()
        let query = input.query
        let search = PatientRegistry.Search(
            name: try query.name.map { try FieldValidation.text($0, field: "name", maximum: 100) },
            mrn: try query.mrn.map { try FieldValidation.text($0, field: "mrn", maximum: 64) },
            birthDate: try query.birthDate.map { value in
                guard FieldValidation.calendarDate(value) != nil else { throw APIError.invalidField("birthDate", "Give a date as YYYY-MM-DD.") }
                return value
            },
            status: query.status?.rawValue ?? "active")
        let page = try await patients.list(
            search, after: try PageCursor.decode(query.cursor, keys: 3), limit: try FieldValidation.limit(query.limit), by: principal)
        return .ok(.init(body: .json(.init(
            patients: page.patients.map(Components.Schemas.Patient.init), nextCursor: page.next.map(PageCursor.encode)))))
    }
}

extension Components.Schemas.Patient {
    init(_ record: PatientRecord) {
        self.init(
            id: record.id.text, mrn: record.mrn, familyName: record.familyName, givenName: record.givenName, birthDate: record.birthDate,
            sex: .init(rawValue: record.sex) ?? .unknown, status: .init(rawValue: record.status) ?? .archived, version: record.version,
            createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
