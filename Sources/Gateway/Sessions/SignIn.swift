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
/// the same answer and take the same time (a password hash is checked either way), and are throttled alike:
/// failures slow the answers down and then lock the email, and the client address, out for a while
/// (`LoginThrottle`). Every outcome is a ledger entry (`auth.login`, with outcome success or failure, and
/// `auth.lockout`). A failure for an unknown email is recorded too, without the email (people type passwords into
/// the email field): security reviewers see the attempt, and both kinds of failure cost one ledger append, so
/// the time taken does not tell them apart.
struct SignIn: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    /// Holds back the answer to a failure; tests substitute one that records instead of waiting.
    let sleep: @Sendable (Duration) async throws -> Void
    let tokens: AccessTokenSigner
    let settings: AccountSettings
    let clock: @Sendable () -> Date
    let logger: Logger
    /// Checked when the email is unknown, so that the answer takes as long as for a known one.
    let decoyHash: String

    enum Refusal: Error, Equatable {
        case invalidCredentials
        /// Too many recent failures for this email or from this address; try again after this many seconds.
        case lockedOut(retryAfter: Int)
    }

    func signIn(email: String, password: String, requestID: String?, clientAddress: String?) async throws -> IssuedSession {
        let email = EmailAddress.normalised(email) ?? email.lowercased()
        let keys = throttle.keys(email: email, clientAddress: clientAddress)
        if let wait = try await throttle.lockedFor(keys, at: clock()) { throw Refusal.lockedOut(retryAfter: wait) }
        let account = try await lookup(email: email)
        guard let account, account.status == "active", let stored = account.passwordHash else {
            _ = try await hasher.verify(password, against: decoyHash)
            try await failed(account, reason: account.map { "account \($0.status)" }, keys: keys, requestID: requestID, clientAddress: clientAddress)
        }
        guard try await hasher.verify(password, against: stored) else {
            try await failed(account, reason: "wrong password", keys: keys, requestID: requestID, clientAddress: clientAddress)
        }
        try await throttle.recordSuccess(keys)
        return try await openSession(account, methods: ["pwd"], method: "password", requestID: requestID, clientAddress: clientAddress)
    }

    /// Counts the failure, records it (and any lockout it caused), holds the answer back as the count says, and
    /// refuses. Known and unknown emails go the same way, with the same number of ledger appends.
    private func failed(_ account: Account?, reason: String?, keys: LoginThrottle.Keys, requestID: String?, clientAddress: String?)
        async throws -> Never {
        let counted = try await throttle.recordFailure(keys, at: clock())
        let actor = account.map { LedgerEntry.Actor(userID: $0.id.text, roles: $0.roles, clientAddress: clientAddress) }
            ?? LedgerEntry.Actor(userID: nil, clientAddress: clientAddress)
        let resource = account.map { LedgerEntry.ResourceReference(type: "user", id: $0.id.text) }
        _ = try await writer.append(EntryDraft(
            actor: actor, action: "auth.login", resource: resource, requestID: requestID, outcome: .failure,
            payload: .clear(["method": "password", "reason": .string(reason ?? "unknown account")])))
        if let until = counted.accountLockedUntil {
            try await recordLockout(actor: actor, resource: resource, scope: "account", until: until, requestID: requestID)
        }
        if let until = counted.addressLockedUntil, let clientAddress {
            try await recordLockout(
                actor: .init(userID: nil, clientAddress: clientAddress), resource: .init(type: "client_address", id: clientAddress),
                scope: "address", until: until, requestID: requestID)
        }
        try await sleep(throttle.policy.delay(afterFailures: counted.accountFailures))
        throw Refusal.invalidCredentials
    }

    private func recordLockout(
        actor: LedgerEntry.Actor, resource: LedgerEntry.ResourceReference?, scope: String, until: Date, requestID: String?
    ) async throws {
        _ = try await writer.append(EntryDraft(
            actor: actor, action: "auth.lockout", resource: resource, requestID: requestID, outcome: .failure,
            payload: .clear(["scope": .string(scope), "until": .string(LedgerTimestamp(until).description)])))
        logger.notice("sign-in locked out", metadata: ["scope": "\(scope)", "resource_id": "\(resource?.id ?? "unknown account")"])
    }

    /// The account a sign-in is for.
    struct Account: Sendable {
        let id: UUID
        let roles: [String]
        let status: String
        let passwordHash: String?
    }

    func lookup(email: String) async throws -> Account? {
        try await lookup(rows: client.query("SELECT id, roles, status, password_hash FROM users WHERE email = \(email)", logger: logger))
    }

    func lookup(userID: UUID) async throws -> Account? {
        try await lookup(rows: client.query("SELECT id, roles, status, password_hash FROM users WHERE id = \(userID)", logger: logger))
    }

    private func lookup(rows: PostgresRowSequence) async throws -> Account? {
        for try await (id, roles, status, hash) in rows.decode((UUID, [String], String, String?).self) {
            return Account(id: id, roles: roles, status: status, passwordHash: hash)
        }
        return nil
    }

    /// Opens a session for `account`, proven by `methods` (the token's `amr`), and records it as an `auth.login`
    /// entry whose payload names `method`. `alsoApply` runs in the entry's transaction, after the session row is
    /// written: a passkey sign-in advances the credential's counter there, so that both happen or neither.
    func openSession(
        _ account: Account, methods: [String], method: String, details: [String: JSONValue] = [:], requestID: String?,
        clientAddress: String?, alsoApply: ProjectionUpdate? = nil
    ) async throws -> IssuedSession {
        let sessionID = UUID.random()
        let refresh = OpaqueToken.generate()
        let now = clock()
        let expiresAt = now.addingTimeInterval(Double(settings.sessionMaxLifetime))
        let draft = EntryDraft(
            actor: .init(
                userID: account.id.text, roles: account.roles, sessionID: sessionID.text, authMethods: methods,
                clientAddress: clientAddress),
            action: "auth.login", resource: .init(type: "session", id: sessionID.text), requestID: requestID,
            payload: .clear(.object(details.merging(["method": .string(method)]) { _, method in method })))
        _ = try await writer.append(draft) { connection, context, logger in
            try await connection.query(
                """
                INSERT INTO sessions (id, user_id, auth_time, amr, client_address, created_at, last_seen_at, expires_at, ledger_seq)
                VALUES (\(sessionID), \(account.id), \(now), \(methods), \(clientAddress), \(now), \(now), \(expiresAt), \(context.seq))
                """, logger: logger)
            try await connection.query(
                "INSERT INTO refresh_tokens (token_hash, session_id) VALUES (\(ByteBuffer(bytes: refresh.hash)), \(sessionID))",
                logger: logger)
            try await alsoApply?(connection, context, logger)
        }
        let accessToken = try tokens.issue(
            userID: account.id, sessionID: sessionID, roles: account.roles, authTime: now, methods: methods, now: now, settings: settings)
        logger.info("signed in", metadata: ["user_id": "\(account.id.text)", "session_id": "\(sessionID.text)"])
        return IssuedSession(
            sessionID: sessionID, accessToken: accessToken, accessTokenLifetime: settings.accessTokenLifetime, refreshToken: refresh.text)
    }
}
