import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/auth/...`: enrolment.
extension GatewayHandlers {
    func enroll(_ input: Operations.Enroll.Input) async throws -> Operations.Enroll.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        do {
            let account = try await enrolment.enroll(
                token: body.token, password: body.password, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            return .created(.init(body: .json(.init(account))))
        } catch Enrolment.Refusal.invalidInvite {
            throw APIError.invalidField(
                "token", "This invite is not valid: it may have been used, withdrawn or have expired. Ask an administrator for a new one.")
        } catch Enrolment.Refusal.weakPassword(let reason) {
            throw APIError.invalidField("password", reason)
        } catch is LedgerWriteError {
            throw APIError.unavailable("The enrolment could not be recorded; nothing was changed. Try again shortly.")
        }
    }
}

extension Components.Schemas.Account {
    init(_ account: AccountSummary) {
        self.init(
            id: account.id.text, email: account.email, name: account.name, roles: account.roles,
            status: .init(rawValue: account.status) ?? .disabled)
    }
}
