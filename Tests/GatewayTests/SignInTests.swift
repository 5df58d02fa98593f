import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import NIOCore
import PostgresNIO
import Synchronization
import Testing
import WebAuthn
@testable import Gateway

/// A clock tests can move forward.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    /// When set, time stands still at this instant except for `advance`: on a busy machine a few requests may take
    /// seconds, which would move what a test expects (a Retry-After, say).
    private let standingAt: Date?

    init(standingStill: Bool = false) {
        standingAt = standingStill ? Date() : nil
    }

    var now: @Sendable () -> Date { { [self] in (standingAt ?? Date()).addingTimeInterval(offset.withLock { $0 }) } }
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

@Suite("Password sign-in, access tokens and live sessions, through the running gateway")
struct SignInTests {
    let logger = TestPostgres.logger
    let email = TestAccounts.adminEmail
    let password = TestAccounts.password

    private func enrolledAdmin(_ database: TestDatabase, signingKey: Ed25519SigningKey) async throws {
        try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
    }

    private func login(_ client: some TestClientProtocol, email: String, password: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let answer = try await client.login(email: email, password: password)
        return (answer.status, answer.body)
    }

    private func me(_ client: some TestClientProtocol, token: String?) async throws -> (HTTPResponse.Status, [String: Any], String?) {
        let answer = try await client.call(.get, "/v1/auth/me", token: token)
        return (answer.status, answer.body, answer.headers[.wwwAuthenticate])
    }

    private func configure(_ signingKey: Ed25519SigningKey, _ change: @escaping @Sendable (inout AccountSettings) -> Void = { _ in })
        -> @Sendable (inout GatewayConfiguration) -> Void {
        TestAccounts.configure(signingKey, change)
    }

    @Test("sign in, call /me with the access token, find the token's key in the JWKS and the sign-in in the ledger")
    func happyPath() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let sink = CapturingLogSink()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            let session = Mutex<String>("")
            try await TestGateway.withApp(database: database, configure: configure(signingKey), sink: sink) { client in
                let (status, tokens) = try await login(client, email: "Admin@Hospital.example", password: password)
                #expect(status == .ok)
                let accessToken = try #require(tokens["accessToken"] as? String)
                #expect(tokens["tokenType"] as? String == "Bearer")
                #expect(tokens["expiresIn"] as? Int == 300)
                #expect((tokens["refreshToken"] as? String)?.count == 43)
                let sessionID = try #require(tokens["sessionId"] as? String)
                session.withLock { $0 = sessionID }

                let (meStatus, body, _) = try await me(client, token: accessToken)
                #expect(meStatus == .ok)
                let account = try #require(body["account"] as? [String: Any])
                let session = try #require(body["session"] as? [String: Any])
                #expect(account["email"] as? String == email)
                #expect(account["roles"] as? [String] == ["admin"])
                #expect(session["id"] as? String == sessionID)
                #expect(session["authMethods"] as? [String] == ["pwd"])

                let header = try #require(Base64URL.decode(accessToken.split(separator: ".")[0]))
                let kid = try #require((try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any])?["kid"] as? String)
                do {
                    let keys = try #require(try await client.call(.get, "/.well-known/jwks.json")["keys"] as? [[String: Any]])
                    #expect(keys.count == 1)
                    #expect(keys.first?["kid"] as? String == kid)
                    #expect(keys.first?["kty"] as? String == "OKP")
                    #expect(keys.first?["crv"] as? String == "Ed25519")
                    #expect(keys.first?["d"] == nil, "the private part must never be published")
                }
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let logins = try await harness.verifiedChain().filter { $0.entry.action == "auth.login" }
                #expect(logins.count == 1)
                #expect(logins.first?.entry.outcome == .success)
                #expect(logins.first?.entry.actor?.sessionID == session.withLock { $0 })
                #expect(logins.first?.entry.actor?.authMethods == ["pwd"])
            }
        }
        for line in sink.lines {
            #expect(!line.contains(password), "the password reached the log")
            #expect(!line.contains("eyJ"), "a token reached the log: \(line)")
        }
    }

    @Test("a wrong password and an unknown email get the same 401; both failures are in the ledger, the unknown email nowhere")
    func failedSignIn() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (wrongStatus, wrong) = try await login(client, email: email, password: "not the password at all")
                let (unknownStatus, unknown) = try await login(client, email: "nobody@hospital.example", password: password)
                #expect(wrongStatus == .unauthorized && unknownStatus == .unauthorized)
                #expect(wrong["detail"] as? String == unknown["detail"] as? String)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let logins = try await harness.verifiedChain().filter { $0.entry.action == "auth.login" }
                #expect(logins.map(\.entry.outcome) == [.failure, .failure])
                #expect(logins.first?.entry.resource?.type == "user")
                #expect(logins.last?.entry.resource == nil && logins.last?.entry.actor?.userID == nil)
                for login in logins {
                    let canonical = String(decoding: login.canonicalBytes, as: UTF8.self)
                    #expect(!canonical.contains("nobody@") && !canonical.contains("not the password"))
                }
            }
        }
    }

    @Test("/me refuses no token, a malformed one, one from another key, and a revoked session's, with 401 and a challenge")
    func refusedTokens() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (_, tokens) = try await login(client, email: email, password: password)
                let accessToken = try #require(tokens["accessToken"] as? String)
                let refreshToken = try #require(tokens["refreshToken"] as? String)
                let foreign = try AccessTokenSigner(key: .generate()).sign(AccessClaims(
                    issuer: "phi-ledger-gateway", audience: "phi-ledger-api", subject: UUID().uuidString.lowercased(),
                    sessionID: tokens["sessionId"] as? String ?? "", issuedAt: Int64(Date().timeIntervalSince1970),
                    expiresAt: Int64(Date().timeIntervalSince1970) + 300, authTime: 0, authMethods: ["pwd"], tokenID: "x", roles: ["admin"]))
                for token in [nil, "garbage", refreshToken, foreign] {
                    let (status, problem, challenge) = try await me(client, token: token)
                    #expect(status == .unauthorized)
                    #expect(challenge?.hasPrefix("Bearer") == true)
                    #expect(problem["requestId"] != nil)
                }
                #expect(try await me(client, token: accessToken).0 == .ok)
                try await database.withClient(database.ownerURL) { db in
                    try await db.query("UPDATE sessions SET revoked_at = now(), revoked_reason = 'test'", logger: logger)
                }
                #expect(try await me(client, token: accessToken).0 == .unauthorized, "a revoked session's token must stop working at once")
            }
        }
    }

    @Test("a session ends after the inactivity timeout and after its absolute lifetime, even with a valid token")
    func timeouts() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            let idleClock = TestClock()
            let idle = configure(signingKey) { $0.accessTokenLifetime = 3600; $0.sessionIdleTimeout = 900 }
            try await TestGateway.withApp(database: database, configure: idle, clock: idleClock.now) { client in
                let token = try #require(try await login(client, email: email, password: password).1["accessToken"] as? String)
                idleClock.advance(by: 600)
                #expect(try await me(client, token: token).0 == .ok, "used within the idle timeout")
                idleClock.advance(by: 600)
                #expect(try await me(client, token: token).0 == .ok, "the last use restarted the idle timeout")
                idleClock.advance(by: 901)
                #expect(try await me(client, token: token).0 == .unauthorized, "idle for longer than the timeout")
            }
            let lifetimeClock = TestClock()
            let lifetime = configure(signingKey) { $0.accessTokenLifetime = 3600; $0.sessionIdleTimeout = 86_400; $0.sessionMaxLifetime = 600 }
            try await TestGateway.withApp(database: database, configure: lifetime, clock: lifetimeClock.now) { client in
                let token = try #require(try await login(client, email: email, password: password).1["accessToken"] as? String)
                lifetimeClock.advance(by: 590)
                #expect(try await me(client, token: token).0 == .ok)
                lifetimeClock.advance(by: 20)
                #expect(try await me(client, token: token).0 == .unauthorized, "past the absolute lifetime")
            }
        }
    }

    private func refresh(_ client: some TestClientProtocol, _ token: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let answer = try await client.call(.post, "/v1/auth/refresh", json: ["refreshToken": token])
        return (answer.status, answer.body)
    }

    @Test("a refresh token rotates; presenting a used one again ends the whole session and is in the ledger")
    func refreshRotationAndReuse() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (_, first) = try await login(client, email: email, password: password)
                let firstRefresh = try #require(first["refreshToken"] as? String)
                let (status, second) = try await refresh(client, firstRefresh)
                #expect(status == .ok)
                let secondRefresh = try #require(second["refreshToken"] as? String)
                let secondAccess = try #require(second["accessToken"] as? String)
                #expect(secondRefresh != firstRefresh)
                #expect(second["sessionId"] as? String == first["sessionId"] as? String)
                #expect(try await me(client, token: secondAccess).0 == .ok)

                // The first token again: someone holds a copy. The whole family dies, the newest token included.
                #expect(try await refresh(client, firstRefresh).0 == .unauthorized)
                #expect(try await refresh(client, secondRefresh).0 == .unauthorized)
                #expect(try await me(client, token: secondAccess).0 == .unauthorized)
                #expect(try await refresh(client, OpaqueToken.generate().text).0 == .unauthorized)
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let actions = try await harness.verifiedChain().map(\.entry.action)
                #expect(actions.filter { $0 == "auth.refresh.reuse" }.count == 1)
            }
        }
    }

    @Test("logout ends the session at once: its access and refresh tokens stop working; recorded as auth.logout")
    func logout() async throws {
        let signingKey = Ed25519SigningKey.generate()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure(signingKey)) { client in
                let (_, tokens) = try await login(client, email: email, password: password)
                let access = try #require(tokens["accessToken"] as? String)
                let refreshToken = try #require(tokens["refreshToken"] as? String)
                try await client.execute(uri: "/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(access)"]) { response in
                    #expect(response.status == .noContent)
                }
                #expect(try await me(client, token: access).0 == .unauthorized)
                #expect(try await refresh(client, refreshToken).0 == .unauthorized)
                try await client.execute(uri: "/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(access)"]) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await WriterHarness.with(database, signingKey: signingKey) { harness in
                let entries = try await harness.verifiedChain()
                let logouts = entries.filter { $0.entry.action == "auth.logout" }
                #expect(logouts.count == 1)
                #expect(logouts.first?.entry.resource?.type == "session")
            }
        }
    }
}
