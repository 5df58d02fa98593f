import Foundation
import Logging
import PostgresNIO

/// The one rule for whether a session may still be used: not revoked, within its absolute lifetime, used within
/// the idle timeout, its account active. Access tokens and refresh tokens are both judged by it.
struct LiveSessions: Sendable {
    let client: PostgresClient
    let settings: AccountSettings
    let logger: Logger

    /// How stale `last_seen_at` may get before a use refreshes it; spares a write on most requests.
    static let touchInterval = 15

    /// True when the session is live at `now`. With `touch`, also counts this as a use (restarting the idle
    /// timeout).
    func isLive(_ sessionID: UUID, of userID: UUID, at now: Date, touch: Bool) async throws -> Bool {
        try await current(sessionID, of: userID, at: now, touch: touch) != nil
    }

    /// What a live session stands on now.
    struct Standing: Sendable, Equatable {
        /// The account's roles as they are now, not as they were when the access token was issued.
        let roles: [String]
        /// When the session last completed a passkey step-up.
        let steppedUpAt: Date?
    }

    /// A live session as the check found it.
    struct Found: Sendable, Equatable {
        let standing: Standing
        let lastSeenAt: Date
    }

    /// The session's standing when it is live at `now`, else nil. Requests are authorised with it rather than
    /// with the access token's claims, so a role change takes effect at once.
    func current(_ sessionID: UUID, of userID: UUID, at now: Date, touch: Bool) async throws -> Standing? {
        let rows = try await client.execute(check(sessionID, of: userID, at: now), logger: logger)
        var found: Found?
        for try await row in rows { found = row }
        guard let found else { return nil }
        if touch { try await recordUse(sessionID, found, at: now) }
        return found.standing
    }

    /// The statement that judges the session by this rule.
    func check(_ sessionID: UUID, of userID: UUID, at now: Date) -> LiveSessionStatement {
        LiveSessionStatement(
            sessionID: sessionID, userID: userID, now: now, idleSince: now.addingTimeInterval(-Double(settings.sessionIdleTimeout)))
    }

    /// Counts a use of a live session, restarting its idle timeout, when its last recorded use is more than
    /// `touchInterval` seconds old: most requests write nothing.
    func recordUse(_ sessionID: UUID, _ found: Found, at now: Date) async throws {
        guard found.lastSeenAt < now.addingTimeInterval(-Double(Self.touchInterval)) else { return }
        // Never backwards: another request may have recorded a later use meanwhile.
        _ = try await client.query(
            "UPDATE sessions SET last_seen_at = \(now) WHERE id = \(sessionID) AND last_seen_at < \(now)", logger: logger)
    }

    /// The account's live sessions at `now`, newest first, judged by the same rule as `current`.
    func liveSessions(of userID: UUID, at now: Date) async throws -> [SessionRecord] {
        let idleSince = now.addingTimeInterval(-Double(settings.sessionIdleTimeout))
        let rows = try await client.query(
            """
            SELECT s.id, s.created_at, s.last_seen_at, s.expires_at, s.auth_time, s.amr, s.client_address
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.user_id = \(userID) AND s.revoked_at IS NULL AND s.expires_at > \(now)
              AND s.last_seen_at > \(idleSince) AND u.status = 'active'
            ORDER BY s.created_at DESC, s.id LIMIT 500
            """, logger: logger)
        var sessions: [SessionRecord] = []
        for try await (id, created, seen, expires, authTime, methods, address) in rows.decode(
            (UUID, Date, Date, Date, Date, [String], String?).self) {
            sessions.append(SessionRecord(
                id: id, createdAt: created, lastSeenAt: seen, expiresAt: expires, authTime: authTime, authMethods: methods,
                clientAddress: address))
        }
        return sessions
    }
}
