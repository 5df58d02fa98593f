import Foundation
import Ledger
import Logging
import PostgresNIO

/// Ends sessions, each with its ledger entry: logout (`auth.logout`), refresh-token reuse (`auth.refresh.reuse`)
/// and revocation by the account or an administrator (`auth.session.revoke`). A revoked session's access and
/// refresh tokens stop working at once, since every use checks the session (`LiveSessions`).
struct SessionRevocation: Sendable {
    let writer: LedgerWriter
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        /// The session does not exist, has already ended, or belongs to someone else.
        case noSuchSession
    }

    /// Which sessions a revocation may end.
    enum Scope: Sendable {
        /// Whatever its state (reuse of a refresh token is recorded even when the session had already ended).
        case any
        /// Only one not yet revoked, belonging to `owner` when given; otherwise nothing is written.
        case unrevoked(owner: UUID?)
    }

    func revoke(
        _ sessionID: UUID, scope: Scope, actor: LedgerEntry.Actor, reason: String, action: String, outcome: LedgerEntry.Outcome = .success,
        requestID: String?
    ) async throws {
        let session = sessionID.text
        let now = clock()
        let draft = EntryDraft(
            actor: actor, action: action, resource: .init(type: "session", id: session), requestID: requestID, outcome: outcome,
            payload: .clear(["reason": .string(reason)]))
        _ = try await writer.append(draft) { connection, _, logger in
            switch scope {
            case .any:
                try await connection.query(
                    """
                    UPDATE sessions SET revoked_at = COALESCE(revoked_at, \(now)), revoked_reason = COALESCE(revoked_reason, \(reason))
                    WHERE id = \(sessionID)
                    """, logger: logger)
            case .unrevoked(let owner):
                let ended = try await connection.query(
                    """
                    UPDATE sessions SET revoked_at = \(now), revoked_reason = \(reason)
                    WHERE id = \(sessionID) AND revoked_at IS NULL AND (\(owner)::uuid IS NULL OR user_id = \(owner))
                    RETURNING id
                    """, logger: logger)
                guard try await ended.collect().count == 1 else { throw Refusal.noSuchSession }
            }
        }
        logger.info("session revoked", metadata: ["session_id": "\(session)", "reason": "\(reason)"])
    }
}
