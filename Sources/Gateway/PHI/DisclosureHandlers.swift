import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/patients/{id}/disclosures`: the accounting of disclosures.
extension GatewayHandlers {
    func recordDisclosure(_ input: Operations.RecordDisclosure.Input) async throws -> Operations.RecordDisclosure.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        // A minute's grace for clocks that run a little ahead of ours.
        guard body.disclosedAt <= sessions.clock().addingTimeInterval(60) else {
            throw APIError.invalidField("disclosedAt", "Record disclosures that have been made: give a time that is not in the future.")
        }
        let details = Disclosures.Details(
            disclosedAt: body.disclosedAt,
            recipientName: try FieldValidation.text(body.recipientName, field: "recipientName", maximum: 200),
            recipientAddress: try body.recipientAddress.map {
                try FieldValidation.text($0, field: "recipientAddress", maximum: 500, multiline: true)
            },
            description: try FieldValidation.text(body.description, field: "description", maximum: 2000, multiline: true),
            purpose: try FieldValidation.text(body.purpose, field: "purpose", maximum: 1000, multiline: true))
        return .created(.init(body: .json(.init(try await disclosures.record(details, on: request)))))
    }

    func listDisclosures(_ input: Operations.ListDisclosures.Input) async throws -> Operations.ListDisclosures.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let query = input.query
        let page = try await disclosures.list(
            from: query.from, before: query.before, after: try PageCursor.decode(query.cursor, keys: 2),
            limit: try FieldValidation.limit(query.limit), on: request)
        return .ok(.init(body: .json(.init(
            disclosures: page.disclosures.map(Components.Schemas.Disclosure.init), nextCursor: page.next.map(PageCursor.encode)))))
    }
}

extension Components.Schemas.Disclosure {
    init(_ disclosure: Disclosures.Disclosure) {
        self.init(
            id: disclosure.id.text, patientId: disclosure.patientID.text, disclosedAt: disclosure.disclosedAt,
            recipientName: disclosure.recipientName, recipientAddress: disclosure.recipientAddress, description: disclosure.description,
            purpose: disclosure.purpose, recordedBy: disclosure.recordedBy.text, recordedAt: disclosure.recordedAt)
    }
}
