import Foundation
import GatewayAPI
import OpenAPIRuntime
import WebAuthn

/// `/v1/users`: account administration, for administrators only.
extension GatewayHandlers {
    func inviteUser(_ input: Operations.InviteUser.Input) async throws -> Operations.InviteUser.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        let admin = try await signedIn()
        try access.require(admin, .userManage)
        let invitation = try await users.invite(
            email: body.email, name: try FieldValidation.text(body.name, field: "name", maximum: 200), roles: body.roles.map(\.rawValue), by: admin, requestID: scope?.requestID,
            clientAddress: scope?.clientAddress)
        return .created(.init(body: .json(.init(
            account: .init(invitation.account), token: invitation.token.text, expiresAt: invitation.expiresAt))))
    }

    func reissueInvite(_ input: Operations.ReissueInvite.Input) async throws -> Operations.ReissueInvite.Output {
        let scope = RequestScope.current
        let admin = try await signedIn()
        try access.require(admin, .userManage)
        guard let userID = UUID(uuidString: input.path.id) else { throw APIError.notFound }
        let invitation = try await users.reissueInvite(userID, by: admin, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
        return .created(.init(body: .json(.init(
            account: .init(invitation.account), token: invitation.token.text, expiresAt: invitation.expiresAt))))
    }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        try access.require(try await signedIn(), .userRead)
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else { throw APIError.invalidField("limit", "Give a limit from 1 to 200.") }
        var after: String?
        if let cursor = input.query.cursor {
            guard let bytes = Base64URL.decode(cursor) else {
                throw APIError.invalidField("cursor", "Pass back a nextCursor value exactly as it was given.")
            }
            after = String(decoding: bytes, as: UTF8.self)
        }
        let page = try await users.list(status: input.query.status?.rawValue, after: after, limit: limit)
        return .ok(.init(body: .json(.init(
            accounts: page.accounts.map(Components.Schemas.Account.init),
            nextCursor: page.next.map { Base64URL.encode(Array($0.utf8)) }))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        let admin = try await signedIn()
        try access.require(admin, .userManage)
        guard let userID = UUID(uuidString: input.path.id) else { throw APIError.notFound }
        guard body.roles != nil || body.status != nil else {
            throw APIError.badRequest("Give roles, status, or both.")
        }
        let account = try await users.update(
            userID, roles: body.roles?.map(\.rawValue), status: body.status?.rawValue, by: admin, requestID: scope?.requestID,
            clientAddress: scope?.clientAddress)
        return .ok(.init(body: .json(.init(account))))
    }
}

extension UserAdministration.Refusal: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .invalidEmail: .invalidField("email", "Give an email address such as name@hospital.example.")
        case .unknownRole(let name): .invalidField("roles", "'\(name)' is not a role.")
        case .emailTaken: .conflict("An account with this email exists.")
        case .unknownUser: .notFound
        case .ownAccount: .forbidden("Administrators cannot change their own account; ask another administrator.")
        case .notEnrolled: .conflict("This account never enrolled, so it cannot be enabled; invite the person again.")
        case .changedMeanwhile: .conflict("The account was changed meanwhile; read it again and retry.")
        case .notInvited: .conflict("This account has already enrolled or is disabled; only an account not yet enrolled gets a new invite.")
        }
    }
}
