import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The challenges of WebAuthn ceremonies: 32 random bytes each, stored in PostgreSQL with the ceremony, account
/// and session they were issued for, taken at most once, and refused after they expire.
struct CeremonyChallenges: Sendable {
    let client: PostgresClient
    let clock: @Sendable () -> Date
    /// How long a ceremony may take, in seconds: long enough to find and touch an authenticator.
    let lifetime: Int
    let logger: Logger

    enum Ceremony: String, Sendable {
        case registration
        case authentication
        case stepUp = "step_up"
    }

    /// A challenge handed to the browser.
    struct Issued: Sendable, Equatable {
        let challenge: [UInt8]
        let expiresAt: Date
    }

    /// What a taken challenge was issued for.
    struct Claim: Sendable, Equatable {
        let userID: UUID?
        let sessionID: UUID?
    }

    /// Most expired rows removed per issue: abandoned ceremonies are cleared a little at a time, never in one
    /// long statement on the sign-in path.
    static let expiredRemovedPerIssue = 100

    func issue(_ ceremony: Ceremony, userID: UUID?, sessionID: UUID?) async throws -> Issued {
        var generator = SystemRandomNumberGenerator()
        let challenge = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let now = clock()
        let expiresAt = now.addingTimeInterval(Double(lifetime))
        try await client.query(
            """
            WITH expired AS (
                DELETE FROM webauthn_challenges WHERE challenge IN (
                    SELECT challenge FROM webauthn_challenges WHERE expires_at <= \(now) LIMIT \(Self.expiredRemovedPerIssue))
            )
            INSERT INTO webauthn_challenges (challenge, ceremony, user_id, session_id, created_at, expires_at)
            VALUES (\(ByteBuffer(bytes: challenge)), \(ceremony.rawValue), \(userID), \(sessionID), \(now), \(expiresAt))
            """, logger: logger)
        return Issued(challenge: challenge, expiresAt: expiresAt)
    }

    /// Takes `challenge` for `ceremony`: nil when it was never issued, was issued for another ceremony, has been
    /// taken already, or has expired. Taking it deletes it, so it cannot be used twice even by two gateways at once.
    func take(_ challenge: [UInt8], for ceremony: Ceremony) async throws -> Claim? {
        guard challenge.count == 32 else { return nil }
        let rows = try await client.query(
            """
            DELETE FROM webauthn_challenges
            WHERE challenge = \(ByteBuffer(bytes: challenge)) AND ceremony = \(ceremony.rawValue) AND expires_at > \(clock())
            RETURNING user_id, session_id
            """, logger: logger)
        for try await (userID, sessionID) in rows.decode((UUID?, UUID?).self) {
            return Claim(userID: userID, sessionID: sessionID)
        }
        return nil
    }
}
