import Foundation
import GatewayAPI
import Ledger
import OpenAPIRuntime
import WebAuthn

/// `/v1/auth/login`, `/refresh`, `/logout`, `/me`, `/password`, `/sessions` and `/.well-known/jwks.json`.
extension GatewayHandlers {
    /// The request's caller, or 401.
    func signedIn() async throws -> Principal {
        try await sessions.authenticator.authenticate(authorization: RequestScope.current?.authorization)
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        do {
            let session = try await sessions.signIn.signIn(
                email: body.email, password: body.password, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            return .ok(.init(body: .json(.init(session))))
        } catch SignIn.Refusal.invalidCredentials {
            throw APIError.invalidCredentials
        } catch SignIn.Refusal.lockedOut(let retryAfter) {
            throw APIError.tooManyRequests(
                "Too many failed sign-ins for this account or from this address. Try again later.", retryAfter: retryAfter)
        }
    }

    func refresh(_ input: Operations.Refresh.Input) async throws -> Operations.Refresh.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        do {
            let session = try await sessions.renewal.refresh(
                body.refreshToken, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            return .ok(.init(body: .json(.init(session))))
        } catch SessionRenewal.Refusal.invalidRefreshToken {
            throw APIError.unauthorized
        }
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        let scope = RequestScope.current
        let principal = try await signedIn()
        try await sessions.renewal.logout(principal, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
        return .noContent(.init())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let principal = try await signedIn()
        guard let account = try await sessions.accounts.account(principal.userID) else { throw APIError.unauthorized }
        return .ok(.init(body: .json(.init(
            account: .init(account),
            session: .init(
                id: principal.sessionID.text, authTime: Int(principal.authTime),
                authMethods: principal.authMethods)))))
    }

    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        let principal = try await signedIn()
        do {
            try await sessions.passwordChange.change(
                principal, current: body.currentPassword, new: body.newPassword, requestID: scope?.requestID,
                clientAddress: scope?.clientAddress)
        } catch PasswordChange.Refusal.wrongCurrentPassword {
            throw APIError.invalidField("currentPassword", "The current password is not right.")
        } catch PasswordChange.Refusal.weakPassword(let reason) {
            throw APIError.invalidField("newPassword", reason)
        } catch PasswordChange.Refusal.changedMeanwhile {
            throw APIError.conflict("The password was changed meanwhile from another session. Sign in again.")
        }
        return .noContent(.init())
    }

    func listSessions(_ input: Operations.ListSessions.Input) async throws -> Operations.ListSessions.Output {
        let principal = try await signedIn()
        var owner = principal.userID
        if let named = input.query.userId {
            guard let id = UUID(uuidString: named) else { throw APIError.invalidField("userId", "Give an account id (a UUID).") }
            owner = id
        }
        try access.require(principal, .sessionRead, facts: AccessFacts(isOwn: owner == principal.userID))
        let records = try await sessions.liveSessions.liveSessions(of: owner, at: sessions.clock())
        return .ok(.init(body: .json(.init(sessions: records.map { record in
            .init(
                id: record.id.text, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, expiresAt: record.expiresAt,
                authTime: Int(record.authTime.timeIntervalSince1970), authMethods: record.authMethods, clientAddress: record.clientAddress,
                current: record.id == principal.sessionID)
        }))))
    }

    func revokeSession(_ input: Operations.RevokeSession.Input) async throws -> Operations.RevokeSession.Output {
        let scope = RequestScope.current
        let principal = try await signedIn()
        guard let sessionID = UUID(uuidString: input.path.id) else { throw APIError.notFound }
        // Anyone's session when the policy allows it whoever owns it; else only the caller's own.
        let anyOwner = access.decide(principal, .sessionRevoke).allowed
        if !anyOwner { try access.require(principal, .sessionRevoke, facts: AccessFacts(isOwn: true)) }
        do {
            try await sessions.revocation.revoke(
                sessionID, scope: .unrevoked(owner: anyOwner ? nil : principal.userID), actor: principal.actor(clientAddress: scope?.clientAddress),
                reason: anyOwner ? "revoked by an administrator" : "revoked by the account", action: "auth.session.revoke",
                requestID: scope?.requestID)
        } catch SessionRevocation.Refusal.noSuchSession {
            throw APIError.notFound
        }
        return .noContent(.init())
    }

    func getJWKS(_ input: Operations.GetJWKS.Input) async throws -> Operations.GetJWKS.Output {
        .ok(.init(body: .json(.init(keys: sessions.publishedKeys.map { kid, key in
            .init(kty: .okp, crv: .ed25519, x: Base64URL.encode(key.bytes), kid: kid, alg: .edDSA, use: .sig)
        }.sorted { $0.kid < $1.kid }))))
    }
}

extension Components.Schemas.TokenResponse {
    init(_ session: IssuedSession) {
        self.init(
            accessToken: session.accessToken, tokenType: .bearer, expiresIn: session.accessTokenLifetime,
            refreshToken: session.refreshToken, sessionId: session.sessionID.text)
    }
}
