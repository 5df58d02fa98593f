import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// An account as the API shows it.
struct AccountSummary: Sendable, Equatable {
    let id: UUID
    let email: String
    let name: String
    let roles: [String]
    let status: String
}

/// Redeems one-time invites: checks the token, hashes the new password, and in one ledger append (`user.enroll`)
/// marks the invite used and activates the account. A token works once, however many requests race for it.
struct Enrolment: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let hasher: PasswordHasher
    let logger: Logger

    /// Why an enrolment was refused, in words for the person enrolling.
    enum Refusal: Error, Equatable {
        /// Unknown, used, withdrawn or expired: one answer for all, so a guess learns nothing.
        case invalidInvite
        case weakPassword(String)
    }

    /// Sets the password of the invite's account and activates it.
    func enroll(token: String, password: String, requestID: String?, clientAddress: String?) async throws -> AccountSummary {
        if let problem = PasswordPolicy.problem(with: password) { throw Refusal.weakPassword(problem) }
        let tokenHash = OpaqueToken.hash(of: token)
        guard let invited = try await openInvite(tokenHash) else { throw Refusal.invalidInvite }
        let passwordHash = try await hasher.hash(password)
        let userID = invited.id
        let draft = EntryDraft(
            actor: .init(userID: userID.text, roles: invited.roles, clientAddress: clientAddress),
            action: "user.enroll", resource: .init(type: "user", id: userID.text), requestID: requestID,
            payload: .clear(["method": "password"]))
        _ = try await writer.append(draft) { connection, context, logger in
            // Both conditions are re-checked here, inside the entry's transaction: of two requests racing with
            // one token, the second finds the invite used and its entry is never written.
            let redeemed = try await connection.query(
                """
                UPDATE enrolment_invites SET used_at = now()
                WHERE token_hash = \(ByteBuffer(bytes: tokenHash)) AND used_at IS NULL AND expires_at > now()
                RETURNING user_id
                """, logger: logger)
            guard try await redeemed.collect().count == 1 else { throw Refusal.invalidInvite }
            let activated = try await connection.query(
                """
                UPDATE users SET password_hash = \(passwordHash), status = 'active', updated_at = now(), ledger_seq = \(context.seq)
                WHERE id = \(userID) AND status = 'invited'
                RETURNING id
                """, logger: logger)
            guard try await activated.collect().count == 1 else { throw Refusal.invalidInvite }
        }
        logger.info("account enrolled", metadata: ["user_id": "\(userID.text)"])
        return AccountSummary(id: userID, email: invited.email, name: invited.name, roles: invited.roles, status: "active")
    }

    private func openInvite(_ tokenHash: [UInt8]) async throws -> AccountSummary? {
        let rows = try await client.query(
            """
            SELECT u.id, u.email, u.name, u.roles, u.status
            FROM enrolment_invites i JOIN users u ON u.id = i.user_id
            WHERE i.token_hash = \(ByteBuffer(bytes: tokenHash)) AND i.used_at IS NULL AND i.expires_at > now()
              AND u.status = 'invited'
            """, logger: logger)
        for try await (id, email, name, roles, status) in rows.decode((UUID, String, String, [String], String).self) {
            return AccountSummary(id: id, email: email, name: name, roles: roles, status: status)
        }
        return nil
    }
}
