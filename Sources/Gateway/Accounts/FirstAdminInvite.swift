import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// The first administrator's invite, which `make run` prints while no administrator has enrolled. Each call
/// issues a fresh token for the pending administrator (creating the account on the first call) and withdraws
/// the earlier unused ones, so only the token last printed works. Every step is a ledger entry.
struct FirstAdminInvite: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let logger: Logger
    var lifetime: Duration = .seconds(24 * 3600)

    /// A new invite token, or nil when an administrator is already active.
    func issue(email: String, name: String) async throws -> (token: OpaqueToken, expiresAt: Date)? {
        let email = email.lowercased()
        var pending: UUID?
        let rows = try await client.query(
            "SELECT id, status FROM users WHERE 'admin' = ANY(roles) AND status <> 'disabled' ORDER BY created_at", logger: logger)
        for try await (id, status) in rows.decode((UUID, String).self) {
            if status == "active" { return nil }
            pending = pending ?? id
        }
        let userID = pending ?? UUID.random()
        let isNew = pending == nil
        let token = OpaqueToken.generate()
        let expiresAt = Date().addingTimeInterval(Double(lifetime.components.seconds))
        let draft = EntryDraft(
            actor: nil, action: "user.invite", resource: .init(type: "user", id: userID.text),
            payload: .clear(["roles": ["admin"], "reason": "first administrator", "expiresAt": .string(LedgerTimestamp(expiresAt).description)]))
        _ = try await writer.append(draft) { connection, context, logger in
            if isNew {
                try await connection.query(
                    """
                    INSERT INTO users (id, email, name, roles, status, ledger_seq)
                    VALUES (\(userID), \(email), \(name), \(["admin"]), 'invited', \(context.seq))
                    """, logger: logger)
            }
            try await connection.query(
                "UPDATE enrolment_invites SET used_at = now() WHERE user_id = \(userID) AND used_at IS NULL", logger: logger)
            try await connection.query(
                """
                INSERT INTO enrolment_invites (token_hash, user_id, expires_at, ledger_seq)
                VALUES (\(ByteBuffer(bytes: token.hash)), \(userID), \(expiresAt), \(context.seq))
                """, logger: logger)
        }
        return (token, expiresAt)
    }
}
