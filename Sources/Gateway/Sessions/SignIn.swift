import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// What a successful sign-in hands the client.
struct IssuedSession: Sendable {
    let sessionID: UUID
    let accessToken: String
    let accessTokenLifetime: Int
    /// Opaque, 256 random bits; stored only as its SHA-256.
    let refreshToken: String
}

/// Password sign-in: checks the password, opens a session and issues its tokens. Unknown and known emails get
/// the same answer and take the same time (a password hash is checked either way). Every outcome for a known
/// account is a ledger entry (`auth.login`, with outcome success or failure); an unknown email is not
/// recorded, since people type passwords into the email field.
struct SignIn: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let hasher: PasswordHasher
    let tokens: AccessTokenSigner
    let settings: AccountSettings
    let clock: @Sendable () -> Date
    let logger: Logger
    /// Checked when the email is unknown, so that the answer takes as long as for a known one.
    let decoyHash: String

    enum Refusal: Error, Equatable {
        case invalidCredentials
    }

    func signIn(email: String, password: String, requestID: String?, clientAddress: String?) async throws -> IssuedSession {
        let account = try await lookup(email: email.lowercased())
        guard let account, account.status == "active", let stored = account.passwordHash else {
            _ = try await hasher.verify(password, against: decoyHash)
            if let account {
                try await recordFailure(account, reason: "account \(account.status)", requestID: requestID, clientAddress: clientAddress)
            }
            throw Refusal.invalidCredentials
        }
        guard try await hasher.verify(password, against: stored) else {
            try await recordFailure(account, reason: "wrong password", requestID: requestID, clientAddress: clientAddress)
            throw Refusal.invalidCredentials
        }
        return try await openSession(account, methods: ["pwd"], requestID: requestID, clientAddress: clientAddress)
    }

    private struct Account {
        let id: UUID
        let roles: [String]
        let status: String
        let passwordHash: String?
    }

    private func lookup(email: String) async throws -> Account? {
        let rows = try await client.query(
            "SELECT id, roles, status, password_hash FROM users WHERE email = \(email)", logger: logger)
        for try await (id, roles, status, hash) in rows.decode((UUID, [String], String, String?).self) {
            return Account(id: id, roles: roles, status: status, passwordHash: hash)
        }
        return nil
    }

    private func recordFailure(_ account: Account, reason: String, requestID: String?, clientAddress: String?) async throws {
        _ = try await writer.append(EntryDraft(
            actor: .init(userID: account.id.text, roles: account.roles, clientAddress: clientAddress),
            action: "auth.login", resource: .init(type: "user", id: account.id.text), requestID: requestID,
            outcome: .failure, payload: .clear(["method": "password", "reason": .string(reason)])))
    }

    private func openSession(_ account: Account, methods: [String], requestID: String?, clientAddress: String?) async throws -> IssuedSession {
        let sessionID = UUID()
        let refresh = OpaqueToken.generate()
        let now = clock()
        let expiresAt = now.addingTimeInterval(Double(settings.sessionMaxLifetime))
        let draft = EntryDraft(
            actor: .init(
                userID: account.id.text, roles: account.roles, sessionID: sessionID.text, authMethods: methods,
                clientAddress: clientAddress),
            action: "auth.login", resource: .init(type: "session", id: sessionID.text), requestID: requestID,
            payload: .clear(["method": "password"]))
        _ = try await writer.append(draft) { connection, context, logger in
            try await connection.query(
                """
                INSERT INTO sessions (id, user_id, auth_time, amr, client_address, created_at, last_seen_at, expires_at, ledger_seq)
                VALUES (\(sessionID), \(account.id), \(now), \(methods), \(clientAddress), \(now), \(now), \(expiresAt), \(context.seq))
                """, logger: logger)
            try await connection.query(
                "INSERT INTO refresh_tokens (token_hash, session_id) VALUES (\(ByteBuffer(bytes: refresh.hash)), \(sessionID))",
                logger: logger)
        }
        let accessToken = try tokens.issue(
            userID: account.id, sessionID: sessionID, roles: account.roles, authTime: now, methods: methods, now: now, settings: settings)
        logger.info("signed in", metadata: ["user_id": "\(account.id.text)", "session_id": "\(sessionID.text)"])
        return IssuedSession(
            sessionID: sessionID, accessToken: accessToken, accessTokenLifetime: settings.accessTokenLifetime, refreshToken: refresh.text)
    }
}
