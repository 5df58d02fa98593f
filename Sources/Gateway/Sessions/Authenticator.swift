import Foundation
import Logging
import PostgresNIO

/// The signed-in caller of a request.
struct Principal: Sendable, Equatable {
    let userID: UUID
    let roles: [String]
    let sessionID: UUID
    let authTime: Int64
    let authMethods: [String]
}

/// Turns a request's bearer access token into its caller, or refuses it. The token must verify, and its session
/// must still be live: not revoked, within its absolute lifetime, used within the idle timeout, its account
/// active. Checking the session on every request is what makes logout and revocation immediate.
struct Authenticator: Sendable {
    let client: PostgresClient
    let verifier: AccessTokenVerifier
    let settings: AccountSettings
    let clock: @Sendable () -> Date
    let logger: Logger

    /// How stale `last_seen_at` may get before a request refreshes it; spares a write on most requests.
    static let touchInterval = 15

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
        let idleSince = now.addingTimeInterval(-Double(settings.sessionIdleTimeout))
        let touchBefore = now.addingTimeInterval(-Double(Self.touchInterval))
        let rows = try await client.query(
            """
            WITH live AS (
                SELECT s.id, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id = \(sessionID) AND s.user_id = \(userID) AND s.revoked_at IS NULL AND s.expires_at > \(now)
                  AND s.last_seen_at > \(idleSince) AND u.status = 'active'
            ),
            touched AS (
                UPDATE sessions SET last_seen_at = \(now) FROM live WHERE sessions.id = live.id AND live.last_seen_at < \(touchBefore)
            )
            SELECT count(*) FROM live
            """, logger: logger)
        var live = 0
        for try await count in rows.decode(Int.self) { live = count }
        guard live == 1 else {
            logger.info("access token refused", metadata: ["reason": "session not live", "session_id": "\(claims.sessionID)"])
            throw APIError.unauthorized
        }
        return Principal(
            userID: userID, roles: claims.roles, sessionID: sessionID, authTime: claims.authTime, authMethods: claims.authMethods)
    }
}
