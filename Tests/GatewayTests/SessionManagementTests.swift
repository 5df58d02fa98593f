import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing
@testable import Gateway

@Suite("Listing and ending sessions, and changing the password, through the running gateway")
struct SessionManagementTests {
    let email = TestAccounts.adminEmail
    let password = TestAccounts.password

    @Test("an account lists its live sessions and ends one; only that session's token stops working")
    func listAndRevoke() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let first = try await client.login(email: email, password: password)
                let second = try await client.login(email: email, password: password)
                let firstToken = try #require(first["accessToken"] as? String)
                let secondToken = try #require(second["accessToken"] as? String)
                let secondID = try #require(second["sessionId"] as? String)

                let listed = try await client.call(.get, "/v1/auth/sessions", token: firstToken)
                #expect(listed.status == .ok)
                let sessions = try #require(listed["sessions"] as? [[String: Any]])
                #expect(sessions.count == 2)
                #expect(sessions.filter { $0["current"] as? Bool == true }.compactMap { $0["id"] as? String } == [first["sessionId"] as? String])

                #expect(try await client.call(.delete, "/v1/auth/sessions/\(secondID)", token: firstToken).status == .noContent)
                #expect(try await client.call(.get, "/v1/auth/me", token: secondToken).status == .unauthorized)
                #expect(try await client.call(.get, "/v1/auth/me", token: firstToken).status == .ok)
                #expect(try await client.call(.delete, "/v1/auth/sessions/\(secondID)", token: firstToken).status == .notFound,
                        "an ended session cannot be ended twice")
                #expect(try await client.call(.delete, "/v1/auth/sessions/not-a-uuid", token: firstToken).status == .notFound)
                let after = try await client.call(.get, "/v1/auth/sessions", token: firstToken)
                #expect((after["sessions"] as? [[String: Any]])?.count == 1)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let revocations = try await harness.verifiedChain().filter { $0.entry.action == "auth.session.revoke" }
                #expect(revocations.count == 1)
                #expect(revocations.first?.entry.resource?.type == "session")
            }
        }
    }

    @Test("a non-admin cannot list or end another account's sessions")
    func othersSessions() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let adminLogin = try await client.login(email: email, password: password)
                let adminToken = try #require(adminLogin["accessToken"] as? String)
                let adminSession = try #require(adminLogin["sessionId"] as? String)
                let adminID = try #require((try await client.call(.get, "/v1/auth/me", token: adminToken)["account"] as? [String: Any])?["id"] as? String)
                let invite = try await client.call(
                    .post, "/v1/users", token: adminToken, json: ["email": "n@hospital.example", "name": "N", "roles": ["nurse"]])
                let inviteToken = try #require(invite["token"] as? String)
                #expect(try await client.call(.post, "/v1/auth/enroll", json: ["token": inviteToken, "password": password]).status == .created)
                let nurseToken = try await client.accessToken(email: "n@hospital.example", password: password)

                #expect(try await client.call(.get, "/v1/auth/sessions?userId=\(adminID)", token: nurseToken).status == .forbidden)
                #expect(try await client.call(.delete, "/v1/auth/sessions/\(adminSession)", token: nurseToken).status == .notFound)
                #expect(try await client.call(.get, "/v1/auth/me", token: adminToken).status == .ok)

                // An administrator can end anyone's session.
                let nurseID = try #require((try await client.call(.get, "/v1/auth/me", token: nurseToken)["account"] as? [String: Any])?["id"] as? String)
                let nurseSessions = try await client.call(.get, "/v1/auth/sessions?userId=\(nurseID)", token: adminToken)
                let nurseSession = try #require((nurseSessions["sessions"] as? [[String: Any]])?.first?["id"] as? String)
                #expect(try await client.call(.delete, "/v1/auth/sessions/\(nurseSession)", token: adminToken).status == .noContent)
                #expect(try await client.call(.get, "/v1/auth/me", token: nurseToken).status == .unauthorized)
            }
        }
    }

    @Test("a password change needs the current password, ends the other sessions, keeps this one, and is in the ledger")
    func passwordChange() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let newPassword = "an entirely new passphrase"
        let sink = CapturingLogSink()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey), sink: sink) { client in
                let here = try await client.accessToken(email: email, password: password)
                let elsewhere = try await client.accessToken(email: email, password: password)

                let wrong = try await client.call(
                    .post, "/v1/auth/password", token: here, json: ["currentPassword": "not it at all, no", "newPassword": newPassword])
                #expect(wrong.status == .badRequest && wrong["field"] as? String == "currentPassword")
                let weak = try await client.call(.post, "/v1/auth/password", token: here, json: ["currentPassword": password, "newPassword": "short"])
                #expect(weak.status == .badRequest && weak["field"] as? String == "newPassword")
                #expect(try await client.call(.get, "/v1/auth/me", token: elsewhere).status == .ok, "a refused change ends nothing")

                let changed = try await client.call(
                    .post, "/v1/auth/password", token: here, json: ["currentPassword": password, "newPassword": newPassword])
                #expect(changed.status == .noContent)
                #expect(try await client.call(.get, "/v1/auth/me", token: elsewhere).status == .unauthorized)
                #expect(try await client.call(.get, "/v1/auth/me", token: here).status == .ok)
                #expect(try await client.login(email: email, password: password).status == .unauthorized)
                #expect(try await client.login(email: email, password: newPassword).status == .ok)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let changes = try await harness.verifiedChain().filter { $0.entry.action == "auth.password.change" }
                #expect(changes.map(\.entry.outcome) == [.failure, .success])
                for change in changes {
                    let text = String(decoding: change.canonicalBytes, as: UTF8.self)
                    #expect(!text.contains(newPassword) && !text.contains(password) && !text.contains("argon2"))
                }
            }
        }
        for line in sink.lines {
            #expect(!line.contains(newPassword) && !line.contains(password) && !line.contains("argon2"), "a secret reached the log: \(line)")
        }
    }
}
