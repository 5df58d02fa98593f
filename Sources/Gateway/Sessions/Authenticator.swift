import Foundation
import Ledger
import Logging
import PostgresNIO

/// The signed-in caller of a request.
struct Principal: Sendable, Equatable {
    let userID: UUID
    /// The account's roles as they are now (read with the session), not as they were when the token was issued.
    let roles: [String]
    let sessionID: UUID
    let authTime: Int64
    let authMethods: [String]
    /// When the session last completed a passkey step-up, read with the session.
    var steppedUpAt: Date? = nil
}

/// Turns a request's bearer access token into its caller, or refuses it. The token must verify, and its session
/// must still be live (`LiveSessions`). Checking the session on every request is what makes logout and
/// revocation immediate.
struct Authenticator: Sendable {
    let sessions: LiveSessions
    let verifier: AccessTokenVerifier
    let rateLimit: UserRateLimit
    let clock: @Sendable () -> Date
    let logger: Logger

    /// The caller of a request bearing `authorization`, or `APIError.unauthorized`.
    func authenticate(authorization: String?) async throws -> Principal {
        let token = try verify(authorization)
        let standing = try await sessions.current(token.sessionID, of: token.userID, at: token.now, touch: true)
        return try principal(token, standing: standing)
    }

    /// A bearer token that verified, from an account within its rate limit; its session is still to be checked.
    struct VerifiedToken: Sendable {
        let claims: AccessClaims
        let userID: UUID
        let sessionID: UUID
        /// When the token was checked: the session must be live then.
        let now: Date
    }

    /// Verifies the bearer token and admits its account to the rate limit, or throws `APIError.unauthorized` (or 429).
    func verify(_ authorization: String?) throws -> VerifiedToken {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let now = clock()
        let claims: AccessClaims
        do {
            claims = try verifier.verify(String(authorization.dropFirst(7)), now: Int64(now.timeIntervalSince1970))
        } catch {
            logger.info("access token refused", metadata: ["reason": "\(error)"])
            throw APIError.unauthorized
        }
        guard let userID = UUID(uuidString: claims.subject), let sessionID = UUID(uuidString: claims.sessionID) else {
            throw APIError.unauthorized
        }
        // Counted before the session is read: a flood from one account must not reach the database.
        try rateLimit.admit(userID)
        return VerifiedToken(claims: claims, userID: userID, sessionID: sessionID, now: now)
    }

    /// The caller `token` names, given what its session stands on (nil when the session is not live: unauthorized).
    func principal(_ token: VerifiedToken, standing: LiveSessions.Standing?) throws -> Principal {
        guard let standing else {
            logger.info("access token refused", metadata: ["reason": "session not live", "session_id": "\(token.claims.sessionID)"])
            throw APIError.unauthorized
        }
        return Principal(
            userID: token.userID, roles: standing.roles, sessionID: token.sessionID, authTime: token.claims.authTime,
            authMethods: token.claims.authMethods, steppedUpAt: standing.steppedUpAt)
    }
}

extension Principal {
    /// The caller as a ledger entry's actor.
    func actor(clientAddress: String?) -> LedgerEntry.Actor {
        .init(userID: userID.text, roles: roles, sessionID: sessionID.text, authMethods: authMethods, clientAddress: clientAddress)
    }
}
