import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// Refresh-token rotation and logout. Each refresh token works once: using it returns a new one, and presenting
/// a used one again means it was copied, so the whole session (every token descended from the same sign-in) is
/// revoked and the reuse is recorded in the ledger (`auth.refresh.reuse`).
struct SessionRenewal: Sendable {
    let client: PostgresClient
    let sessions: LiveSessions
    let revocation: SessionRevocation
    let tokens: AccessTokenSigner
    let settings: AccountSettings
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        /// Unknown, used, or its session has ended: one answer for all.
        case invalidRefreshToken
    }

    private struct Found {
        let sessionID: UUID
        let userID: UUID
        let roles: [String]
        let authTime: Date
        let methods: [String]
        let used: Bool
    }

    /// Exchanges a refresh token for a new access token and a new refresh token.
    func refresh(_ presented: String, requestID: String?, clientAddress: String?) async throws -> IssuedSession {
        let hash = OpaqueToken.hash(of: presented)
        let now = clock()
        guard let found = try await find(hash) else { throw Refusal.invalidRefreshToken }
        func revokeForReuse() async throws -> Never {
            try await revocation.revoke(
                found.sessionID, scope: .any,
                actor: .init(userID: found.userID.text, roles: found.roles, sessionID: found.sessionID.text, clientAddress: clientAddress),
                reason: "refresh token reused", action: "auth.refresh.reuse", outcome: .failure, requestID: requestID)
            throw Refusal.invalidRefreshToken
        }
        if found.used { try await revokeForReuse() }
        guard try await sessions.isLive(found.sessionID, of: found.userID, at: now, touch: false) else {
            throw Refusal.invalidRefreshToken
        }
        let next = OpaqueToken.generate()
        let rotated = try await client.withTransaction(logger: logger) { [logger] connection in
            // Claimed with a condition, so of two requests racing with one token only one rotates it.
            let claimed = try await connection.query(
                "UPDATE refresh_tokens SET used_at = \(now) WHERE token_hash = \(ByteBuffer(bytes: hash)) AND used_at IS NULL RETURNING session_id",
                logger: logger)
            guard try await claimed.collect().count == 1 else { return false }
            try await connection.query(
                "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (\(ByteBuffer(bytes: next.hash)), \(found.sessionID), \(now))",
                logger: logger)
            try await connection.query("UPDATE sessions SET last_seen_at = \(now) WHERE id = \(found.sessionID)", logger: logger)
            return true
        }
        guard rotated else { try await revokeForReuse() }
        let accessToken = try tokens.issue(
            userID: found.userID, sessionID: found.sessionID, roles: found.roles, authTime: found.authTime, methods: found.methods,
            now: now, settings: settings)
        return IssuedSession(
            sessionID: found.sessionID, accessToken: accessToken, accessTokenLifetime: settings.accessTokenLifetime, refreshToken: next.text)
    }

    /// Ends the caller's session (`auth.logout`): its access and refresh tokens stop working at once.
    func logout(_ principal: Principal, requestID: String?, clientAddress: String?) async throws {
        try await revocation.revoke(
            principal.sessionID, scope: .any, actor: principal.actor(clientAddress: clientAddress), reason: "logout", action: "auth.logout",
            requestID: requestID)
    }

    private func find(_ hash: [UInt8]) async throws -> Found? {
        let rows = try await client.query(
            """
            SELECT s.id, s.user_id, u.roles, s.auth_time, s.amr, t.used_at IS NOT NULL
            FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
            WHERE t.token_hash = \(ByteBuffer(bytes: hash))
            """, logger: logger)
        for try await (session, user, roles, authTime, methods, used) in rows.decode(
            (UUID, UUID, [String], Date, [String], Bool).self) {
            return Found(sessionID: session, userID: user, roles: roles, authTime: authTime, methods: methods, used: used)
        }
        return nil
    }
}
