import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// Counts failed sign-ins per account email and per client address in PostgreSQL, so every gateway sharing the
/// database enforces one count, and answers whether either is locked out.
struct LoginThrottle: Sendable {
    let client: PostgresClient
    let policy: LoginThrottlePolicy
    let kek: KeyEncryptionKey
    let logger: Logger

    /// The fingerprints an attempt is counted under.
    struct Keys: Sendable {
        let account: [UInt8]
        let address: [UInt8]?
    }

    /// What counting a failure found.
    struct Counted: Sendable, Equatable {
        /// Failures on the account in the current window, this one included.
        let accountFailures: Int
        /// Set when this failure locked the account, or the address.
        let accountLockedUntil: Date?
        let addressLockedUntil: Date?
    }

    func keys(email: String, clientAddress: String?) -> Keys {
        Keys(
            account: kek.fingerprint(Array("account:\(email)".utf8), purpose: "login-throttle"),
            address: clientAddress.map { kek.fingerprint(Array("address:\($0)".utf8), purpose: "login-throttle") })
    }

    /// Seconds until the account or the address may try again, or nil when neither is locked.
    func lockedFor(_ keys: Keys, at now: Date) async throws -> Int? {
        let account = ByteBuffer(bytes: keys.account)
        let address = ByteBuffer(bytes: keys.address ?? keys.account)
        let rows = try await client.query(
            "SELECT max(locked_until) FROM login_throttle WHERE key IN (\(account), \(address)) AND locked_until > \(now)",
            logger: logger)
        for try await until in rows.decode(Date?.self) {
            guard let until else { return nil }
            return Int(until.timeIntervalSince(now).rounded(.up))
        }
        return nil
    }

    /// Counts one failure against the account and the address.
    func recordFailure(_ keys: Keys, at now: Date) async throws -> Counted {
        let (accountFailures, accountLocked) = try await count(keys.account, threshold: policy.accountLockoutAfter, at: now)
        var addressLocked: Date?
        if let address = keys.address {
            addressLocked = try await count(address, threshold: policy.addressLockoutAfter, at: now).newlyLockedUntil
        }
        return Counted(accountFailures: accountFailures, accountLockedUntil: accountLocked, addressLockedUntil: addressLocked)
    }

    /// A successful sign-in clears the account's count (not the address's: one good password must not wipe the
    /// record of an address trying many accounts).
    func recordSuccess(_ keys: Keys) async throws {
        try await client.query("DELETE FROM login_throttle WHERE key = \(ByteBuffer(bytes: keys.account))", logger: logger)
    }

    private func count(_ key: [UInt8], threshold: Int, at now: Date) async throws -> (failures: Int, newlyLockedUntil: Date?) {
        let windowStart = now.addingTimeInterval(-Double(policy.lockoutSeconds))
        let until = now.addingTimeInterval(Double(policy.lockoutSeconds))
        // A failure after the window has passed starts a new count; reaching the threshold locks, unless a lock
        // is already running.
        let rows = try await client.query(
            """
            INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
            VALUES (\(ByteBuffer(bytes: key)), 1, \(now), CASE WHEN 1 >= \(threshold) THEN \(until) END)
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN t.window_start > \(windowStart) THEN t.failures + 1 ELSE 1 END,
                window_start = CASE WHEN t.window_start > \(windowStart) THEN t.window_start ELSE \(now) END,
                locked_until = CASE
                    WHEN t.locked_until > \(now) THEN t.locked_until
                    WHEN (CASE WHEN t.window_start > \(windowStart) THEN t.failures + 1 ELSE 1 END) >= \(threshold) THEN \(until)
                    ELSE NULL END
            RETURNING failures, locked_until = \(until)
            """, logger: logger)
        for try await (failures, locked) in rows.decode((Int, Bool?).self) {
            return (failures, locked == true ? until : nil)
        }
        return (1, nil)
    }
}
