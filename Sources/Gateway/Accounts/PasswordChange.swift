import Foundation
import Ledger
import Logging
import PostgresNIO

/// Changes a signed-in account's password: the current one must be given, the new one must meet the policy, and
/// in the same transaction as the `auth.password.change` entry every other session of the account ends (someone
/// who learnt the old password is signed out with it). A wrong current password is recorded as a failure.
struct PasswordChange: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let hasher: PasswordHasher
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        case wrongCurrentPassword
        case weakPassword(String)
        /// The password changed meanwhile, through another session; nothing was written.
        case changedMeanwhile
    }

    func change(_ principal: Principal, current: String, new: String, requestID: String?, clientAddress: String?) async throws {
        let actor = principal.actor(clientAddress: clientAddress)
        let resource = LedgerEntry.ResourceReference(type: "user", id: principal.userID.text)
        guard let stored = try await storedHash(principal.userID), try await hasher.verify(current, against: stored) else {
            _ = try await writer.append(EntryDraft(
                actor: actor, action: "auth.password.change", resource: resource, requestID: requestID, outcome: .failure,
                payload: .clear(["reason": "wrong current password"])))
            throw Refusal.wrongCurrentPassword
        }
        if let problem = PasswordPolicy.problem(with: new) { throw Refusal.weakPassword(problem) }
        let newHash = try await hasher.hash(new)
        let now = clock()
        let draft = EntryDraft(actor: actor, action: "auth.password.change", resource: resource, requestID: requestID)
        _ = try await writer.append(draft) { connection, context, logger in
            let changed = try await connection.query(
                """
                UPDATE users SET password_hash = \(newHash), updated_at = now(), ledger_seq = \(context.seq)
                WHERE id = \(principal.userID) AND password_hash = \(stored) RETURNING id
                """, logger: logger)
            guard try await changed.collect().count == 1 else { throw Refusal.changedMeanwhile }
            try await connection.query(
                """
                UPDATE sessions SET revoked_at = \(now), revoked_reason = 'password changed'
                WHERE user_id = \(principal.userID) AND id <> \(principal.sessionID) AND revoked_at IS NULL
                """, logger: logger)
        }
        logger.info("password changed", metadata: ["user_id": "\(principal.userID.text)"])
    }

    private func storedHash(_ userID: UUID) async throws -> String? {
        let rows = try await client.query("SELECT password_hash FROM users WHERE id = \(userID)", logger: logger)
        for try await hash in rows.decode(String?.self) { return hash }
        return nil
    }
}
