import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/audit/access`: the access log, for compliance officers.
extension GatewayHandlers {
    func listAccessAudit(_ input: Operations.ListAccessAudit.Input) async throws -> Operations.ListAccessAudit.Output {
        let principal = try await signedIn()
        let query = input.query
        let filter = AccessAudit.Filter(
            userID: try query.userId.map { try FieldValidation.uuid($0, field: "userId") },
            patientID: try query.patientId.map { try FieldValidation.uuid($0, field: "patientId") },
            action: try query.action.map { try FieldValidation.text($0, field: "action", maximum: 64) },
            outcome: query.outcome?.rawValue, breakGlass: query.breakGlass, from: query.from, before: query.before)
        guard let order = AccessAudit.Order(rawValue: query.sort?.rawValue ?? "-recordedAt") else {
            throw APIError.invalidField("sort", "Sort by a field of the access records, with '-' for descending.")
        }
        let page = try await audit.list(
            filter, order: order, after: try PageCursor.decode(query.cursor, keys: 3), limit: try FieldValidation.limit(query.limit),
            by: principal)
        return .ok(.init(body: .json(.init(
            accesses: page.accesses.map(Components.Schemas.AccessRecord.init), nextCursor: page.next.map(PageCursor.encode)))))
    }
}

extension Components.Schemas.AccessRecord {
    init(_ access: AccessAudit.Access) {
        self.init(
            seq: access.seq, patientId: access.patientID.text, recordedAt: access.recordedAt, userId: access.userID.text,
            action: access.action, outcome: .init(rawValue: access.outcome) ?? .failure, breakGlass: access.breakGlass)
    }
}
