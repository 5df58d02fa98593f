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

    func authenticate(authorization: String?) async throws -> Principal {
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
        guard let standing = try await sessions.current(sessionID, of: userID, at: now, touch: true) else {
            logger.info("access token refused", metadata: ["reason": "session not live", "session_id": "\(claims.sessionID)"])
            throw APIError.unauthorized
        }
        return Principal(
            userID: userID, roles: standing.roles, sessionID: sessionID, authTime: claims.authTime, authMethods: claims.authMethods,
            steppedUpAt: standing.steppedUpAt)
    }
}

extension Principal {
    /// The caller as a ledger entry's actor.
    func actor(clientAddress: String?) -> LedgerEntry.Actor {
        .init(userID: userID.text, roles: roles, sessionID: sessionID.text, authMethods: authMethods, clientAddress: clientAddress)
    }
}
