import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Synchronization
import Testing
@testable import Gateway

@Suite("Account administration through the running gateway: invite, list, roles, disable")
struct UserAdministrationTests {
    let admin = TestAccounts.adminEmail
    let password = TestAccounts.password
    let clinician = "c.osei@hospital.example"
    let clinicianPassword = "a ward round at seven sharp"

    @Test("an admin invites; the invitee enrols once, signs in, has roles changed and is disabled and enabled, each at once and in the ledger")
    func lifecycle() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let ids = Mutex<(admin: String, clinician: String)>(("", ""))
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let adminToken = try await client.accessToken(email: admin, password: password)
                let me = try await client.call(.get, "/v1/auth/me", token: adminToken)
                let adminID = try #require((me["account"] as? [String: Any])?["id"] as? String)

                let invited = try await client.call(
                    .post, "/v1/users", token: adminToken, json: ["email": " C.Osei@Hospital.example", "name": "Kofi Osei", "roles": ["nurse"]])
                #expect(invited.status == .created)
                let token = try #require(invited["token"] as? String)
                let account = try #require(invited["account"] as? [String: Any])
                let userID = try #require(account["id"] as? String)
                #expect(account["email"] as? String == clinician)
                #expect(account["status"] as? String == "invited")
                ids.withLock { $0 = (adminID, userID) }

                let enrolled = try await client.call(.post, "/v1/auth/enroll", json: ["token": token, "password": clinicianPassword])
                #expect(enrolled.status == .created)
                let again = try await client.call(.post, "/v1/auth/enroll", json: ["token": token, "password": clinicianPassword])
                #expect(again.status == .badRequest && again["field"] as? String == "token", "an invite works once")

                let userToken = try await client.accessToken(email: clinician, password: clinicianPassword)
                #expect(try await client.call(.post, "/v1/users", token: userToken,
                                              json: ["email": "x@hospital.example", "name": "X", "roles": ["admin"]]).status == .forbidden)
                #expect(try await client.call(.get, "/v1/users", token: userToken).status == .forbidden)

                // Roles change on the account's very next request, with the token it already holds.
                let changed = try await client.call(.patch, "/v1/users/\(userID)", token: adminToken, json: ["roles": ["clinician", "nurse"]])
                #expect(changed.status == .ok)
                #expect(changed["roles"] as? [String] == ["clinician", "nurse"])
                let meNow = try await client.call(.get, "/v1/auth/me", token: userToken)
                #expect((meNow["account"] as? [String: Any])?["roles"] as? [String] == ["clinician", "nurse"])

                // Disabling ends the account's sessions at once and stops sign-in; enabling restores sign-in.
                #expect(try await client.call(.patch, "/v1/users/\(userID)", token: adminToken, json: ["status": "disabled"]).status == .ok)
                #expect(try await client.call(.get, "/v1/auth/me", token: userToken).status == .unauthorized)
                #expect(try await client.login(email: clinician, password: clinicianPassword).status == .unauthorized)
                #expect(try await client.call(.patch, "/v1/users/\(userID)", token: adminToken, json: ["status": "active"]).status == .ok)
                #expect(try await client.login(email: clinician, password: clinicianPassword).status == .ok)
                #expect(try await client.call(.get, "/v1/auth/me", token: userToken).status == .unauthorized,
                        "re-enabling does not revive the sessions that disabling ended")

                // An unchanged value writes nothing.
                #expect(try await client.call(.patch, "/v1/users/\(userID)", token: adminToken, json: ["status": "active"]).status == .ok)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let (adminID, userID) = ids.withLock { $0 }
                let entries = try await harness.verifiedChain().map(\.entry).filter { $0.resource?.id == userID }
                // The sign-in refused while disabled is recorded against the account too.
                #expect(entries.map(\.action) == ["user.invite", "user.enroll", "user.roles.change", "user.disable", "auth.login", "user.enable"])
                #expect(entries.first { $0.action == "auth.login" }?.outcome == .failure)
                let byAdmin = entries.filter { ["user.invite", "user.roles.change", "user.disable", "user.enable"].contains($0.action) }
                #expect(byAdmin.count == 4)
                #expect(byAdmin.allSatisfy { $0.actor?.userID == adminID && $0.actor?.roles == ["admin"] })
                #expect(entries.first { $0.action == "user.enroll" }?.actor?.userID == userID)
                let roleChange = try #require(entries.first { $0.action == "user.roles.change" })
                #expect(roleChange.payload == .clear(["from": ["nurse"], "to": ["clinician", "nurse"]]))
            }
        }
    }

    @Test("bad invites and changes are refused naming the reason, and write nothing")
    func refusals() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let token = try await client.accessToken(email: admin, password: password)
                let adminID = try #require(((try await client.call(.get, "/v1/auth/me", token: token))["account"] as? [String: Any])?["id"] as? String)
                let unknownRole = try await client.call(
                    .post, "/v1/users", token: token, json: ["email": clinician, "name": "K", "roles": ["superuser"]])
                #expect(unknownRole.status == .badRequest)
                let badEmail = try await client.call(.post, "/v1/users", token: token, json: ["email": "not an email", "name": "K", "roles": []])
                #expect(badEmail.status == .badRequest && badEmail["field"] as? String == "email")
                let taken = try await client.call(.post, "/v1/users", token: token, json: ["email": "ADMIN@hospital.example", "name": "K", "roles": []])
                #expect(taken.status == .conflict)
                let own = try await client.call(.patch, "/v1/users/\(adminID)", token: token, json: ["status": "disabled"])
                #expect(own.status == .forbidden)
                #expect(try await client.call(.patch, "/v1/users/\(UUID().text)", token: token, json: ["status": "disabled"]).status == .notFound)
                #expect(try await client.call(.patch, "/v1/users/\(adminID)", token: token, json: [:]).status == .badRequest)
                #expect(try await client.call(.post, "/v1/users", json: ["email": clinician, "name": "K", "roles": []]).status == .unauthorized)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let actions = try await harness.verifiedChain().map(\.entry.action)
                #expect(actions.filter { $0.hasPrefix("user.") } == ["user.invite", "user.enroll"], "only the first administrator's own")
            }
        }
    }

    @Test("a new invite replaces the old one for an account not yet enrolled, and is refused once it has enrolled")
    func reissue() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let token = try await client.accessToken(email: admin, password: password)
                let invited = try await client.call(.post, "/v1/users", token: token, json: ["email": clinician, "name": "K", "roles": ["nurse"]])
                let userID = try #require((invited["account"] as? [String: Any])?["id"] as? String)
                let first = try #require(invited["token"] as? String)
                let again = try await client.call(.post, "/v1/users/\(userID)/invite", token: token)
                #expect(again.status == .created)
                let second = try #require(again["token"] as? String)
                #expect(second != first)
                #expect(try await client.call(.post, "/v1/auth/enroll", json: ["token": first, "password": clinicianPassword]).status == .badRequest,
                        "the earlier token stopped working")
                #expect(try await client.call(.post, "/v1/auth/enroll", json: ["token": second, "password": clinicianPassword]).status == .created)
                #expect(try await client.call(.post, "/v1/users/\(userID)/invite", token: token).status == .conflict)
                #expect(try await client.call(.post, "/v1/users/\(UUID().text)/invite", token: token).status == .notFound)
            }
        }
    }

    @Test("the account list pages in email order and filters by status")
    func listing() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                let token = try await client.accessToken(email: admin, password: password)
                for name in ["d", "b", "e", "c"] {
                    let invited = try await client.call(
                        .post, "/v1/users", token: token, json: ["email": "\(name)@hospital.example", "name": name.uppercased(), "roles": ["nurse"]])
                    #expect(invited.status == .created)
                }
                var emails: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let query = "/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await client.call(.get, query, token: token)
                    #expect(page.status == .ok)
                    emails += (page["accounts"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                    cursor = page["nextCursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(emails == ["admin@hospital.example", "b@hospital.example", "c@hospital.example", "d@hospital.example", "e@hospital.example"])
                #expect(pages == 3)
                let active = try await client.call(.get, "/v1/users?status=active", token: token)
                #expect((active["accounts"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == [admin])
                #expect(try await client.call(.get, "/v1/users?limit=0", token: token).status == .badRequest)
                #expect(try await client.call(.get, "/v1/users?cursor=%25%25", token: token).status == .badRequest)
            }
        }
    }
}
