import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// What administrators do to accounts: invite, list, change roles, disable and re-enable. Every change is one
/// ledger entry by the administrator (`user.invite`, `user.roles.change`, `user.disable`, `user.enable`) in the
/// same transaction as the change, and each change is applied only if the account is still as it was read, so
/// two administrators acting at once cannot overwrite each other unseen.
struct UserAdministration: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let settings: AccountSettings
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Why a change was refused, in words for the administrator.
    enum Refusal: Error, Equatable {
        case invalidEmail
        case unknownRole(String)
        case emailTaken
        case unknownUser
        /// Administrators do not change their own roles or status: that takes a second administrator.
        case ownAccount
        /// An invited account has no password yet; it becomes active by enrolling, not by an administrator.
        case notEnrolled
        /// The account changed between reading and writing; nothing was written.
        case changedMeanwhile
        /// Only an account that has not enrolled yet can be sent a new invite.
        case notInvited
    }

    /// A new account and its one-time enrolment token, shown only here.
    struct Invitation: Sendable {
        let account: AccountSummary
        let token: OpaqueToken
        let expiresAt: Date
    }

    /// Creates an invited account and its enrolment invite.
    func invite(email: String, name: String, roles: [String], by admin: Principal, requestID: String?, clientAddress: String?)
        async throws -> Invitation {
        guard let email = EmailAddress.normalised(email) else { throw Refusal.invalidEmail }
        let roles = try Self.checked(roles)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let userID = UUID.random()
        let token = OpaqueToken.generate()
        let expiresAt = clock().addingTimeInterval(Double(settings.inviteLifetime))
        let draft = EntryDraft(
            actor: admin.actor(clientAddress: clientAddress), action: "user.invite", resource: .init(type: "user", id: userID.text),
            requestID: requestID,
            payload: .clear(["roles": .array(roles.map { .string($0) }), "expiresAt": .string(LedgerTimestamp(expiresAt).description)]))
        _ = try await writer.append(draft) { connection, context, logger in
            let created = try await connection.query(
                """
                INSERT INTO users (id, email, name, roles, status, ledger_seq)
                VALUES (\(userID), \(email), \(name), \(roles), 'invited', \(context.seq))
                ON CONFLICT (email) DO NOTHING RETURNING id
                """, logger: logger)
            guard try await created.collect().count == 1 else { throw Refusal.emailTaken }
            try await connection.query(
                """
                INSERT INTO enrolment_invites (token_hash, user_id, expires_at, ledger_seq)
                VALUES (\(ByteBuffer(bytes: token.hash)), \(userID), \(expiresAt), \(context.seq))
                """, logger: logger)
        }
        logger.info("account invited", metadata: ["user_id": "\(userID.text)", "by": "\(admin.userID.text)"])
        return Invitation(
            account: AccountSummary(id: userID, email: email, name: name, roles: roles, status: "invited"), token: token,
            expiresAt: expiresAt)
    }

    /// A new enrolment token for an account that has not enrolled yet (its invite expired or was lost); earlier
    /// unused tokens stop working. Recorded as `user.invite`.
    func reissueInvite(_ userID: UUID, by admin: Principal, requestID: String?, clientAddress: String?) async throws -> Invitation {
        guard let account = try await account(userID) else { throw Refusal.unknownUser }
        guard account.status == "invited" else { throw Refusal.notInvited }
        let token = OpaqueToken.generate()
        let expiresAt = clock().addingTimeInterval(Double(settings.inviteLifetime))
        let draft = EntryDraft(
            actor: admin.actor(clientAddress: clientAddress), action: "user.invite", resource: .init(type: "user", id: userID.text),
            requestID: requestID,
            payload: .clear([
                "roles": .array(account.roles.map { .string($0) }), "expiresAt": .string(LedgerTimestamp(expiresAt).description),
                "reason": "new invite",
            ]))
        try await appendChecked(draft) { connection, context, logger in
            try await connection.query(
                "UPDATE enrolment_invites SET used_at = now() WHERE user_id = \(userID) AND used_at IS NULL", logger: logger)
            try await connection.query(
                """
                INSERT INTO enrolment_invites (token_hash, user_id, expires_at, ledger_seq)
                VALUES (\(ByteBuffer(bytes: token.hash)), \(userID), \(expiresAt), \(context.seq))
                """, logger: logger)
            return try await connection.query(
                "UPDATE users SET updated_at = now() WHERE id = \(userID) AND status = 'invited' RETURNING id", logger: logger)
        }
        logger.info("account invited again", metadata: ["user_id": "\(userID.text)", "by": "\(admin.userID.text)"])
        return Invitation(account: account, token: token, expiresAt: expiresAt)
    }

    /// One page of accounts in email order, and the cursor of the next page when there is one.
    func list(status: String?, after cursor: String?, limit: Int) async throws -> (accounts: [AccountSummary], next: String?) {
        let after = cursor ?? ""
        let rows = try await client.query(
            """
            SELECT id, email, name, roles, status FROM users
            WHERE email > \(after) AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY email LIMIT \(limit + 1)
            """, logger: logger)
        var accounts: [AccountSummary] = []
        for try await (id, email, name, roles, status) in rows.decode((UUID, String, String, [String], String).self) {
            accounts.append(AccountSummary(id: id, email: email, name: name, roles: roles, status: status))
        }
        guard accounts.count > limit else { return (accounts, nil) }
        accounts.removeLast()
        return (accounts, accounts.last?.email)
    }

    /// Applies a role change and then a status change, each only when it changes something.
    func update(_ userID: UUID, roles: [String]?, status: String?, by admin: Principal, requestID: String?, clientAddress: String?)
        async throws -> AccountSummary {
        guard userID != admin.userID else { throw Refusal.ownAccount }
        let newRoles = try roles.map(Self.checked)
        guard var account = try await self.account(userID) else { throw Refusal.unknownUser }
        let actor = admin.actor(clientAddress: clientAddress)
        if let newRoles, newRoles != account.roles {
            try await changeRoles(of: account, to: newRoles, actor: actor, requestID: requestID)
            account = AccountSummary(id: account.id, email: account.email, name: account.name, roles: newRoles, status: account.status)
        }
        if let status, status != account.status {
            try await changeStatus(of: account, to: status, actor: actor, requestID: requestID)
            account = AccountSummary(id: account.id, email: account.email, name: account.name, roles: account.roles, status: status)
        }
        return account
    }

    private func changeRoles(of account: AccountSummary, to roles: [String], actor: LedgerEntry.Actor, requestID: String?) async throws {
        let draft = EntryDraft(
            actor: actor, action: "user.roles.change", resource: .init(type: "user", id: account.id.text), requestID: requestID,
            payload: .clear(["from": .array(account.roles.map { .string($0) }), "to": .array(roles.map { .string($0) })]))
        try await appendChecked(draft) { connection, context, logger in
            try await connection.query(
                """
                UPDATE users SET roles = \(roles), updated_at = now(), ledger_seq = \(context.seq)
                WHERE id = \(account.id) AND roles = \(account.roles) RETURNING id
                """, logger: logger)
        }
        logger.info("account roles changed", metadata: ["user_id": "\(account.id.text)"])
    }

    private func changeStatus(of account: AccountSummary, to status: String, actor: LedgerEntry.Actor, requestID: String?) async throws {
        let action: String
        switch (account.status, status) {
        case (_, "disabled"): action = "user.disable"
        case ("disabled", "active"):
            guard try await hasPassword(account.id) else { throw Refusal.notEnrolled }
            action = "user.enable"
        default: throw Refusal.notEnrolled
        }
        let from = account.status
        let draft = EntryDraft(
            actor: actor, action: action, resource: .init(type: "user", id: account.id.text), requestID: requestID,
            payload: .clear(["from": .string(from), "to": .string(status)]))
        try await appendChecked(draft) { connection, context, logger in
            // Re-enabling needs a password: an account disabled before it enrolled stays disabled.
            let changed = try await connection.query(
                """
                UPDATE users SET status = \(status), updated_at = now(), ledger_seq = \(context.seq)
                WHERE id = \(account.id) AND status = \(from) AND (\(status) = 'disabled' OR password_hash IS NOT NULL)
                RETURNING id
                """, logger: logger)
            if status == "disabled" {
                // Its sessions end and its open invites are withdrawn with it.
                try await connection.query(
                    """
                    UPDATE sessions SET revoked_at = now(), revoked_reason = 'account disabled'
                    WHERE user_id = \(account.id) AND revoked_at IS NULL
                    """, logger: logger)
                try await connection.query(
                    "UPDATE enrolment_invites SET used_at = now() WHERE user_id = \(account.id) AND used_at IS NULL", logger: logger)
            }
            return changed
        }
        logger.info("account status changed", metadata: ["user_id": "\(account.id.text)", "status": "\(status)"])
    }

    /// Appends `draft` with `change`, which returns the rows it updated: none means the account was no longer as
    /// read, and the entry is not written.
    private func appendChecked(
        _ draft: EntryDraft, _ change: @escaping @Sendable (PostgresConnection, AppendContext, Logger) async throws -> PostgresRowSequence
    ) async throws {
        _ = try await writer.append(draft) { connection, context, logger in
            let rows = try await change(connection, context, logger)
            guard try await rows.collect().count == 1 else { throw Refusal.changedMeanwhile }
        }
    }

    private func account(_ id: UUID) async throws -> AccountSummary? {
        try await AccountDirectory(client: client, logger: logger).account(id)
    }

    private func hasPassword(_ id: UUID) async throws -> Bool {
        let rows = try await client.query("SELECT password_hash IS NOT NULL FROM users WHERE id = \(id)", logger: logger)
        for try await enrolled in rows.decode(Bool.self) { return enrolled }
        return false
    }

    private static func checked(_ roles: [String]) throws -> [String] {
        switch Role.validated(roles) {
        case .success(let roles): return roles
        case .failure(let unknown): throw Refusal.unknownRole(unknown.name)
        }
    }
}
