import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

@Suite("One account's whole journey through the gateway, and what the ledger and the logs keep of it")
struct AccountJourneyTests {
    @Test("invite, enrol, sign in, refresh, change password, end a session, log out: one entry per event, no secret in any log line")
    func journey() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let sink = CapturingLogSink()
        let email = "m.haddad@hospital.example"
        let firstPassword = "rounds begin at the stroke of eight"
        let secondPassword = "and end when the last chart is signed"
        let secrets = Mutex<[String]>([firstPassword, secondPassword])
        let ids = Mutex<(admin: String, user: String)>(("", ""))
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey), sink: sink) { client in
                let adminLogin = try await client.login(email: TestAccounts.adminEmail, password: TestAccounts.password)
                let adminToken = try #require(adminLogin["accessToken"] as? String)
                let invited = try await client.call(
                    .post, "/v1/users", token: adminToken, json: ["email": email, "name": "Mira Haddad", "roles": ["clinician"]])
                let invite = try #require(invited["token"] as? String)
                let userID = try #require((invited["account"] as? [String: Any])?["id"] as? String)
                let adminID = try #require(((try await client.call(.get, "/v1/auth/me", token: adminToken))["account"] as? [String: Any])?["id"] as? String)
                ids.withLock { $0 = (adminID, userID) }

                #expect(try await client.call(.post, "/v1/auth/enroll", json: ["token": invite, "password": firstPassword]).status == .created)
                let first = try await client.login(email: email, password: firstPassword)
                let second = try await client.login(email: email, password: firstPassword)
                let refreshed = try await client.call(.post, "/v1/auth/refresh", json: ["refreshToken": first["refreshToken"] as? String ?? ""])
                #expect(refreshed.status == .ok)
                let access = try #require(refreshed["accessToken"] as? String)
                #expect(try await client.call(
                    .post, "/v1/auth/password", token: access, json: ["currentPassword": firstPassword, "newPassword": secondPassword]
                ).status == .noContent)
                #expect(try await client.call(.delete, "/v1/auth/sessions/\(second["sessionId"] as? String ?? "")", token: access).status == .notFound,
                        "the password change already ended the other session")
                let third = try await client.login(email: email, password: secondPassword)
                #expect(try await client.call(.delete, "/v1/auth/sessions/\(third["sessionId"] as? String ?? "")", token: access).status == .noContent)
                #expect(try await client.call(.post, "/v1/auth/logout", token: access).status == .noContent)

                secrets.withLock {
                    $0 += [invite, adminToken, access] + [first, second, refreshed, third, adminLogin].flatMap {
                        [$0["accessToken"] as? String, $0["refreshToken"] as? String].compactMap { $0 }
                    }
                }
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let (adminID, userID) = ids.withLock { $0 }
                let entries = try await harness.verifiedChain().map(\.entry)
                let mine = entries.filter { $0.actor?.userID == userID || $0.resource?.id == userID }
                #expect(mine.map(\.action) == [
                    "user.invite", "user.enroll", "auth.login", "auth.login", "auth.password.change", "auth.login",
                    "auth.session.revoke", "auth.logout",
                ])
                #expect(mine.first?.actor?.userID == adminID)
                #expect(mine.dropFirst().allSatisfy { $0.actor?.userID == userID })
                #expect(mine.allSatisfy { $0.outcome == .success })
                let hashes = try await database.withClient(database.ownerURL) { db in
                    try await db.query("SELECT password_hash FROM users WHERE password_hash IS NOT NULL", logger: TestPostgres.logger)
                        .collect().map { try $0.decode(String.self) }
                }
                secrets.withLock { $0 += hashes }
                for entry in entries {
                    let text = String(decoding: entry.canonicalBytes(), as: UTF8.self)
                    for secret in secrets.withLock({ $0 }) { #expect(!text.contains(secret), "a secret is in \(entry.action)") }
                }
            }
        }
        let lines = sink.lines
        #expect(!lines.isEmpty)
        for line in lines {
            for secret in secrets.withLock({ $0 }) { #expect(!line.contains(secret), "a secret reached the log: \(line)") }
            #expect(!line.contains("$argon2id$"))
        }
    }
}
