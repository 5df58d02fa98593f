import Foundation
import GatewayAPI
import Ledger
import OpenAPIRuntime
import WebAuthn

/// `/v1/auth/login`, `/v1/auth/me` and `/.well-known/jwks.json`.
extension GatewayHandlers {
    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        do {
            let session = try await sessions.signIn.signIn(
                email: body.email, password: body.password, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            return .ok(.init(body: .json(.init(session))))
        } catch SignIn.Refusal.invalidCredentials {
            throw APIError.invalidCredentials
        } catch is LedgerWriteError {
            throw APIError.unavailable("The sign-in could not be recorded, so it was not completed. Try again shortly.")
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
        let principal = try await sessions.authenticator.authenticate(authorization: scope?.authorization)
        try await sessions.renewal.logout(principal, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
        return .noContent(.init())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let principal = try await sessions.authenticator.authenticate(authorization: RequestScope.current?.authorization)
        guard let account = try await sessions.directory.account(principal.userID) else { throw APIError.unauthorized }
        return .ok(.init(body: .json(.init(
            account: .init(account),
            session: .init(
                id: principal.sessionID.text, authTime: Int(principal.authTime),
                authMethods: principal.authMethods)))))
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
