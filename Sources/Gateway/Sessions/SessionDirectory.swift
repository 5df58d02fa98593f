import Foundation
import Logging
import PostgresNIO

/// A session as its account sees it in `GET /v1/auth/sessions`.
struct SessionRecord: Sendable, Equatable {
    let id: UUID
    let createdAt: Date
    let lastSeenAt: Date
    let expiresAt: Date
    let authTime: Date
    let authMethods: [String]
    let clientAddress: String?
}

/// Reads an account's live sessions, by the same rule as `LiveSessions`.
struct SessionDirectory: Sendable {
    let client: PostgresClient
    let settings: AccountSettings
    let logger: Logger

    /// The account's live sessions at `now`, newest first.
    func liveSessions(of userID: UUID, at now: Date) async throws -> [SessionRecord] {
        let idleSince = now.addingTimeInterval(-Double(settings.sessionIdleTimeout))
        let rows = try await client.query(
            """
            SELECT id, created_at, last_seen_at, expires_at, auth_time, amr, client_address FROM sessions
            WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > \(now) AND last_seen_at > \(idleSince)
            ORDER BY created_at DESC, id LIMIT 500
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
