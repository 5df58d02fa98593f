import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import NIOCore
@testable import Gateway

/// A JSON API answer, for assertions.
struct APIAnswer {
    let status: HTTPResponse.Status
    let body: [String: Any]
    let headers: HTTPFields

    subscript(key: String) -> Any? { body[key] }
}

extension TestClientProtocol {
    /// Calls the API with an optional bearer token and JSON body; a non-JSON answer gives an empty body.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: [String: Any]? = nil) async throws -> APIAnswer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            let text = Data(String(buffer: response.body).utf8)
            let object = (try? JSONSerialization.jsonObject(with: text)) as? [String: Any] ?? [:]
            return APIAnswer(status: response.status, body: object, headers: response.headers)
        }
    }

    func login(email: String, password: String) async throws -> APIAnswer {
        try await call(.post, "/v1/auth/login", json: ["email": email, "password": password])
    }

    /// Signs in and returns the access token, failing the test when sign-in fails.
    func accessToken(email: String, password: String) async throws -> String {
        let answer = try await login(email: email, password: password)
        guard answer.status == .ok, let token = answer["accessToken"] as? String else {
            throw TestFailure("sign-in as \(email) failed with \(answer.status)")
        }
        return token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Accounts made through the real invite and enrolment code paths.
enum TestAccounts {
    static let adminEmail = "admin@hospital.example"
    static let password = "correct horse battery staple"

    /// An enrolled administrator, its entries signed with `signingKey`.
    static func enrolledAdmin(_ database: TestDatabase, signingKey: Ed25519SigningKey) async throws {
        try await WriterHarness.with(database, signingKey: signingKey) { harness in
            guard let issued = try await FirstAdminInvite(client: harness.client, writer: harness.writer, logger: TestPostgres.logger)
                .issue(email: adminEmail, name: "Ada Admin")
            else { throw TestFailure("an administrator already exists") }
            let enrolment = Enrolment(
                client: harness.client, writer: harness.writer, hasher: PasswordHasher(cost: PasswordHasher.minimumCost),
                logger: TestPostgres.logger)
            _ = try await enrolment.enroll(token: issued.token.text, password: password, requestID: nil, clientAddress: nil)
        }
    }

    /// The gateway configured with `signingKey` for the ledger and `change` applied to the account settings.
    static func configure(_ signingKey: Ed25519SigningKey, _ change: @escaping @Sendable (inout AccountSettings) -> Void = { _ in })
        -> @Sendable (inout GatewayConfiguration) -> Void {
        { configuration in
            configuration.keys.signingKeyInline = PKCS8Ed25519.pem(for: signingKey)
            change(&configuration.accounts)
        }
    }
}

/// A signed-in person made through the real invite, enrolment and sign-in endpoints.
struct TestUser: Sendable {
    let id: String
    let token: String
}

extension TestClientProtocol {
    /// Has the administrator invite `email` with `roles`, enrols and signs the person in.
    func enrolledUser(admin adminToken: String, email: String, roles: [String], name: String = "Test Person") async throws -> TestUser {
        let invited = try await call(.post, "/v1/users", token: adminToken, json: ["email": email, "name": name, "roles": roles])
        guard invited.status == .created, let token = invited["token"] as? String,
              let id = (invited["account"] as? [String: Any])?["id"] as? String else {
            throw TestFailure("inviting \(email) failed with \(invited.status)")
        }
        let enrolled = try await call(.post, "/v1/auth/enroll", json: ["token": token, "password": TestAccounts.password])
        guard enrolled.status == .created else { throw TestFailure("enrolling \(email) failed with \(enrolled.status)") }
        return TestUser(id: id, token: try await accessToken(email: email, password: TestAccounts.password))
    }
}

/// A migrated throw-away database with an enrolled administrator, on which tests run the gateway.
struct AdministeredGateway: Sendable {
    let database: TestDatabase
    let signingKey: Ed25519SigningKey

    static func with(_ body: @Sendable (AdministeredGateway) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let gateway = AdministeredGateway(database: database, signingKey: .generate())
            try await TestAccounts.enrolledAdmin(database, signingKey: gateway.signingKey)
            try await body(gateway)
        }
    }

    /// Runs the gateway for `test`, which gets a client and the administrator's access token.
    func serve(
        clock: @escaping @Sendable () -> Date = { Date() },
        _ test: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void
    ) async throws {
        try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey), clock: clock) { client in
            try await test(client, try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password))
        }
    }

    /// The whole chain, each entry verified against the ledger signing key.
    func verifiedChain() async throws -> [SignedEntry] {
        try await WriterHarness.with(database, signingKey: signingKey) { try await $0.verifiedChain() }
    }
}
