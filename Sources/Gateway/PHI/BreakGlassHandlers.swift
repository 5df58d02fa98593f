import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/break-glass`: emergency access, and its review by compliance.
extension GatewayHandlers {
    func breakGlass(_ input: Operations.BreakGlass.Input) async throws -> Operations.BreakGlass.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let principal = try await signedIn()
        let patientID = try FieldValidation.uuid(body.patientId, field: "patientId")
        let reason = try FieldValidation.text(body.reason, field: "reason", maximum: 1000, minimum: 10, multiline: true)
        let minutes = body.minutes ?? 60
        guard (1...240).contains(minutes) else { throw APIError.invalidField("minutes", "Give from 1 to 240 minutes.") }
        let grant = try await breakGlassGrants.open(for: patientID, reason: reason, minutes: minutes, by: principal)
        return .created(.init(body: .json(.init(grant, now: sessions.clock()))))
    }

    func listBreakGlass(_ input: Operations.ListBreakGlass.Input) async throws -> Operations.ListBreakGlass.Output {
        let principal = try await signedIn()
        let query = input.query
        let page = try await breakGlassGrants.list(
            userID: try query.userId.map { try FieldValidation.uuid($0, field: "userId") },
            patientID: try query.patientId.map { try FieldValidation.uuid($0, field: "patientId") },
            activeOnly: query.active, after: try PageCursor.decode(query.cursor, keys: 2), limit: try FieldValidation.limit(query.limit),
            by: principal)
        let now = sessions.clock()
        return .ok(.init(body: .json(.init(
            grants: page.grants.map { .init($0, now: now) }, nextCursor: page.next.map(PageCursor.encode)))))
    }
}

extension Components.Schemas.BreakGlassGrant {
    init(_ grant: BreakGlass.Grant, now: Date) {
        self.init(
            id: grant.id.text, userId: grant.userID.text, patientId: grant.patientID.text, reason: grant.reason, grantedAt: grant.grantedAt,
            expiresAt: grant.expiresAt, active: grant.expiresAt > now)
    }
}
