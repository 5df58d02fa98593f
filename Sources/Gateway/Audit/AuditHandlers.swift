import Foundation
import GatewayAPI
import Ledger
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

/// `/v1/audit/bundles`: signed audit bundles, for security reviewers.
extension GatewayHandlers {
    func createAuditBundle(_ input: Operations.CreateAuditBundle.Input) async throws -> Operations.CreateAuditBundle.Output {
        let principal = try await signedIn()
        guard case .json(let request) = input.body else { throw APIError.badRequest("Send the selection as JSON.") }
        let selection = AuditBundle.Selection(
            from: request.from.map(LedgerTimestamp.init(nearest:)), to: request.to.map(LedgerTimestamp.init(nearest:)),
            patient: try request.patientId.map { try FieldValidation.uuid($0, field: "patientId").text })
        if let from = selection.from, let to = selection.to, from >= to { throw APIError.invalidField("to", "Give a `to` after `from`.") }
        let export = try await bundles.export(selection, by: principal)
        return .ok(.init(
            headers: .init(
                // The generated server percent-encodes header values, so a `filename=` parameter would arrive mangled.
                contentDisposition: "attachment", xBundleEntries: Int64(export.entries),
                xBundleTreeSize: export.treeSize),
            body: .applicationZip(HTTPBody(export.archive))))
    }
}
