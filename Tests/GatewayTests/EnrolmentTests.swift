import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import NIOCore
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Enrolment with a one-time invite, through the running gateway")
struct EnrolmentTests {
    let logger = TestPostgres.logger
    let password = "correct horse battery staple"

    /// Issues the first administrator's invite with the key the gateway under test will sign with.
    private func invite(_ database: TestDatabase, signingKey: Ed25519SigningKey) async throws -> String {
        try await WriterHarness.with(database, signingKey: signingKey) { harness in
            let invite = FirstAdminInvite(client: harness.client, writer: harness.writer, logger: logger)
            return try #require(try await invite.issue(email: "admin@hospital.example", name: "Ada Admin")).token.text
        }
    }

    private func enroll(_ client: some TestClientProtocol, token: String, password: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let body = try JSONSerialization.data(withJSONObject: ["token": token, "password": password])
        return try await client.execute(
            uri: "/v1/auth/enroll", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)
        ) { response in
            let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            return (response.status, object ?? [:])
        }
    }

    private func configure(_ signingKey: Ed25519SigningKey) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            configuration.keys.signingKeyInline = PKCS8Ed25519.pem(for: signingKey)
            configuration.accounts.passwordHashCost = PasswordHasher.minimumCost
        }
    }

    @Test("the invite sets the password once; the account is active, the ledger holds one user.enroll by the user")
    func enrolOnce() async throws {
        let sink = CapturingLogSink()
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let token = try await invite(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey), sink: sink) { client in
                let (status, account) = try await enroll(client, token: token, password: password)
                #expect(status == .created)
                #expect(account["email"] as? String == "admin@hospital.example")
                #expect(account["roles"] as? [String] == ["admin"])
                #expect(account["status"] as? String == "active")

                let (again, problem) = try await enroll(client, token: token, password: "another long passphrase")
                #expect(again == .badRequest)
                #expect(problem["field"] as? String == "token")
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let entries = try await harness.verifiedChain()
                let enrolments = entries.filter { $0.entry.action == "user.enroll" }
                #expect(enrolments.count == 1)
                let userID = try await database.withClient(database.appURL) { client in
                    var found: (String, String, String?) = ("", "", nil)
                    for try await (id, status, hash) in try await client.query(
                        "SELECT id::text, status, password_hash FROM users", logger: logger).decode((String, String, String?).self) {
                        found = (id, status, hash)
                    }
                    #expect(found.1 == "active")
                    #expect(found.2?.hasPrefix("$argon2id$") == true)
                    #expect(try await PasswordHasher(cost: PasswordHasher.minimumCost).verify(password, against: found.2 ?? ""))
                    return found.0
                }
                #expect(enrolments.first?.entry.actor?.userID == userID)
                #expect(enrolments.first?.entry.resource?.id == userID)
                for signed in entries {
                    let canonical = String(decoding: signed.canonicalBytes, as: UTF8.self)
                    #expect(!canonical.contains(token) && !canonical.contains(password), "a secret reached the ledger")
                }
            }
        }
        for line in sink.lines {
            #expect(!line.contains(password), "the password reached the log: \(line)")
        }
    }

    @Test("a weak password is refused naming the field, and writes nothing: the invite still works")
    func weakPassword() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let token = try await invite(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (status, problem) = try await enroll(client, token: token, password: "short")
                #expect(status == .badRequest)
                #expect(problem["field"] as? String == "password")
                #expect((problem["detail"] as? String)?.contains("12") == true)
                let (retry, _) = try await enroll(client, token: token, password: password)
                #expect(retry == .created)
            }
        }
    }

    @Test("an unknown token and an expired one get the same answer")
    func unknownAndExpired() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let token = try await invite(database, signingKey: signingKey)
            try await database.withClient(database.ownerURL) { client in
                try await client.query("UPDATE enrolment_invites SET expires_at = now() - interval '1 second'", logger: logger)
            }
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (expiredStatus, expired) = try await enroll(client, token: token, password: password)
                let (unknownStatus, unknown) = try await enroll(client, token: OpaqueToken.generate().text, password: password)
                #expect(expiredStatus == .badRequest && unknownStatus == .badRequest)
                #expect(expired["detail"] as? String == unknown["detail"] as? String)
                #expect(expired["field"] as? String == "token")
            }
        }
    }

    @Test("two requests racing with one token: exactly one enrols")
    func racingRedemptions() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let token = try await invite(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for attempt in 0..<4 {
                        group.addTask { try await enroll(client, token: token, password: "\(password) \(attempt)").0 }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .created }.count == 1)
                #expect(statuses.filter { $0 == .badRequest }.count == 3)
            }
        }
    }

    @Test("a body with unknown fields or a missing password is refused before anything is read from the database")
    func contractViolations() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                for body in [#"{"token":"x","password":"correct horse battery staple","admin":true}"#, #"{"token":"x"}"#, "[]"] {
                    try await client.execute(
                        uri: "/v1/auth/enroll", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .badRequest, "\(body)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }
}
