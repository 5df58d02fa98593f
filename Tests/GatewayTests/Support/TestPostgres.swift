import Foundation
import Logging
import PostgresNIO
@testable import Gateway

/// The throw-away PostgreSQL cluster that `make test` starts, and a fresh database in it for each test.
/// Tests never mock PostgreSQL: without the cluster they fail and say how to run them.
enum TestPostgres {
    struct Cluster: Sendable {
        let host: String
        let port: Int
        let socketDirectory: String?
        let superuserPassword: String
        let ownerPassword: String
        let appPassword: String
    }

    static func cluster() throws -> Cluster {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["LEDGER_TEST_PG_HOST"], let port = environment["LEDGER_TEST_PG_PORT"].flatMap(Int.init),
              let superuser = environment["LEDGER_TEST_PG_SUPERUSER_PASSWORD"],
              let owner = environment["LEDGER_TEST_PG_OWNER_PASSWORD"],
              let app = environment["LEDGER_TEST_PG_APP_PASSWORD"]
        else {
            throw TestSetupError("no test PostgreSQL: run the suite with `make test`, which starts one")
        }
        return Cluster(
            host: host, port: port, socketDirectory: environment["LEDGER_TEST_PG_SOCKET_DIR"],
            superuserPassword: superuser, ownerPassword: owner, appPassword: app)
    }

    static let logger = Logger(label: "test-postgres")

    /// Creates an empty database owned by `ledger_owner`, runs `body`, and drops the database afterwards.
    @discardableResult
    static func withDatabase<T: Sendable>(_ body: @Sendable (TestDatabase) async throws -> T) async throws -> T {
        let cluster = try cluster()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try TestDatabase.url(cluster: cluster, user: "postgres", password: cluster.superuserPassword, database: "postgres")
        try await PostgresClient.withRunningClient(try admin.clientConfiguration(poolSize: 1)) { client in
            try await client.query("CREATE DATABASE \(unescaped: name) OWNER ledger_owner", logger: logger)
        }
        let database = TestDatabase(cluster: cluster, name: name)
        do {
            let result = try await body(database)
            try await drop(name, admin: admin)
            return result
        } catch {
            try? await drop(name, admin: admin)
            throw error
        }
    }

    private static func drop(_ name: String, admin: PostgresURL) async throws {
        try await PostgresClient.withRunningClient(try admin.clientConfiguration(poolSize: 1)) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
        }
    }
}

/// One test's database and the URLs of its three roles.
struct TestDatabase: Sendable {
    let cluster: TestPostgres.Cluster
    let name: String

    var ownerURL: PostgresURL { try! Self.url(cluster: cluster, user: "ledger_owner", password: cluster.ownerPassword, database: name) }
    var appURL: PostgresURL { try! Self.url(cluster: cluster, user: "ledger_app", password: cluster.appPassword, database: name) }
    var superuserURL: PostgresURL {
        try! Self.url(cluster: cluster, user: "postgres", password: cluster.superuserPassword, database: name)
    }

    static func url(cluster: TestPostgres.Cluster, user: String, password: String, database: String) throws -> PostgresURL {
        try PostgresURL(
            parsing: "postgresql://\(user):\(password)@\(cluster.host):\(cluster.port)/\(database)?sslmode=disable",
            variable: "TEST")
    }

    /// Runs `body` with a pool connected as `url`'s role.
    @discardableResult
    func withClient<T: Sendable>(_ url: PostgresURL, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await PostgresClient.withRunningClient(try url.clientConfiguration(poolSize: 4), body)
    }

    /// Runs SQL as the database superuser with triggers off: what a DBA with full control can do.
    func tamper(_ statements: [String]) async throws {
        try await withClient(superuserURL) { client in
            try await client.withConnection { connection in
                try await connection.query("SET session_replication_role = replica", logger: TestPostgres.logger)
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestPostgres.logger)
                }
            }
        }
    }

    /// Applies the bundled migrations as the owner.
    func migrate() async throws {
        let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: TestPostgres.logger)
        try await withClient(ownerURL) { client in try await migrator.migrate(client) }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
