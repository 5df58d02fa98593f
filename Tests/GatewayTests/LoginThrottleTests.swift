import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Synchronization
import Testing
@testable import Gateway

@Suite("Failed sign-ins slow down and then lock out, per account and per address")
struct LoginThrottleTests {
    let email = TestAccounts.adminEmail
    let password = TestAccounts.password

    @Test("answers are held back more with each failure past the slow-down point, up to a ceiling")
    func delays() {
        let policy = LoginThrottlePolicy()
        #expect((1...3).map(policy.delay(afterFailures:)) == [.zero, .zero, .zero])
        #expect((4...9).map(policy.delay(afterFailures:)) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
        #expect(policy.delay(afterFailures: 1000) == LoginThrottlePolicy.longestDelay)
    }

    @Test("an account locks after its failures, a known and an unknown email alike, and is released when the lockout ends")
    func accountLockout() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let clock = TestClock()
        let waits = Mutex<[Duration]>([])
        let strict = TestAccounts.configure(signingKey) {
            $0.loginThrottle = LoginThrottlePolicy(slowdownAfter: 2, accountLockoutAfter: 3, addressLockoutAfter: 1000, lockoutSeconds: 600)
        }
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(
                database: database, configure: strict, clock: clock.now, sleep: { wait in waits.withLock { $0.append(wait) } }
            ) { client in
                for target in [email, "nobody@hospital.example"] {
                    waits.withLock { $0 = [] }
                    for _ in 1...3 {
                        #expect(try await client.login(email: target, password: "wrong, quite wrong").status == .unauthorized)
                    }
                    #expect(waits.withLock { $0 } == [.zero, .zero, .milliseconds(500)], "the third failure is answered slowly")
                    let locked = try await client.login(email: target, password: password)
                    #expect(locked.status == .tooManyRequests, "locked: even the right password is refused")
                    let retryAfter = try #require(locked.headers[.retryAfter].flatMap { Int($0) })
                    #expect((590...600).contains(retryAfter))
                    #expect(locked["detail"] as? String == "Too many failed sign-ins for this account or from this address. Try again later.")
                }
                clock.advance(by: 601)
                #expect(try await client.login(email: email, password: password).status == .ok, "released when the lockout ends")
                // A success starts the count again.
                for _ in 1...2 { _ = try await client.login(email: email, password: "wrong, quite wrong") }
                #expect(try await client.login(email: email, password: password).status == .ok)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let entries = try await harness.verifiedChain().map(\.entry)
                let lockouts = entries.filter { $0.action == "auth.lockout" }
                #expect(lockouts.count == 2, "the known account's lockout, and the unknown email's without the email")
                #expect(lockouts.first?.resource?.type == "user")
                #expect(lockouts.first?.actor?.userID == entries.first { $0.action == "auth.login" }?.actor?.userID)
                #expect(lockouts.last?.resource == nil && lockouts.last?.actor?.userID == nil)
                let failures = entries.filter { $0.action == "auth.login" && $0.outcome == .failure }
                #expect(failures.filter { $0.actor?.userID != nil }.count == 5)
                #expect(failures.filter { $0.actor?.userID == nil }.count == 3)
                for entry in entries {
                    let text = String(decoding: entry.canonicalBytes(), as: UTF8.self)
                    #expect(!text.contains("nobody@") && !text.contains("quite wrong"))
                }
            }
        }
    }

    @Test("one address failing on many accounts is locked out, and the lockout is recorded")
    func addressLockout() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let strict = TestAccounts.configure(signingKey) {
            $0.loginThrottle = LoginThrottlePolicy(slowdownAfter: 100, accountLockoutAfter: 100, addressLockoutAfter: 4, lockoutSeconds: 600)
        }
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, framework: .live, configure: strict) { (client: any TestClientProtocol) async throws in
                for n in 1...4 {
                    #expect(try await client.login(email: "guess\(n)@hospital.example", password: password).status == .unauthorized)
                }
                #expect(try await client.login(email: email, password: password).status == .tooManyRequests)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let lockouts = try await harness.verifiedChain().filter { $0.entry.action == "auth.lockout" }.map(\.entry)
                #expect(lockouts.count == 1)
                #expect(lockouts.first?.resource?.type == "client_address")
                #expect(lockouts.first?.resource?.id == "127.0.0.1")
                let text = String(decoding: lockouts.first?.canonicalBytes() ?? [], as: UTF8.self)
                #expect(text.contains(#""scope":"address""#))
            }
        }
    }
}
