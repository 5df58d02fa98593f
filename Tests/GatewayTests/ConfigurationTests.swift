import Foundation
import Logging
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Configuration from the environment")
struct ConfigurationTests {
    private func load(_ variables: [String: String]) throws(ConfigurationError) -> GatewayConfiguration {
        try GatewayConfiguration(environment: .fixed(variables))
    }

    @Test("defaults apply when nothing is set")
    func defaults() throws {
        let configuration = try load([:])
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.corsAllowedOrigins.isEmpty)
        #expect(configuration.database.url == nil)
        #expect(configuration.keys.signingKeyFile == ".data/keys/ledger-signing.pem")
        #expect(configuration.logging.format == .json)
        #expect(configuration.logging.level == .info)
        #expect(configuration.database.keepAlive == nil)
    }

    @Test("values are read by their environment variable names")
    func readsVariables() throws {
        let configuration = try load([
            "PORT": "9090", "HOST": "0.0.0.0", "LOG_LEVEL": "debug", "LOG_FORMAT": "text",
            "CORS_ALLOWED_ORIGINS": "https://a.example.org, http://localhost:3000",
            "DATABASE_URL": "postgresql://app:pw@db.internal:6543/ledger?sslmode=require",
            "LEDGER_SIGNING_KEY_FILE": "/run/secrets/signing.pem", "DATABASE_POOL_SIZE": "12", "DATABASE_KEEPALIVE_SECONDS": "45",
        ])
        #expect(configuration.server.port == 9090)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.logging.level == .debug)
        #expect(configuration.logging.format == .text)
        #expect(configuration.server.corsAllowedOrigins == ["https://a.example.org", "http://localhost:3000"])
        #expect(configuration.database.url?.host == "db.internal")
        #expect(configuration.database.url?.port == 6543)
        #expect(configuration.database.url?.sslMode == .require)
        #expect(configuration.keys.signingKeyFile == "/run/secrets/signing.pem")
        let pool = try configuration.database.clientConfiguration()
        #expect(pool.options.maximumConnections == 12)
        // No floor of open connections: below one, postgres-nio's pool fails a precondition when PostgreSQL restarts.
        #expect(pool.options.minimumConnections == 0)
        #expect(pool.options.keepAliveBehavior?.frequency == .seconds(45))
        #expect(try configuration.database.clientConfiguration(poolSize: 2).options.maximumConnections == 2)
    }

    @Test("bad values stop start-up with an error naming the variable", arguments: [
        ("PORT", "eighty"), ("PORT", "70000"), ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"),
        ("CORS_ALLOWED_ORIGINS", "*"), ("CORS_ALLOWED_ORIGINS", "https://a.example.org/path"),
        ("DATABASE_URL", "mysql://x@y/z"), ("DATABASE_URL", "postgresql://u:p@h:5432/db?sslmode=maybe"),
        ("DATABASE_URL", "postgresql://u:p@h/db?unknown=1"), ("DATABASE_OWNER_URL", "postgresql://h/db"),
        ("DATABASE_POOL_SIZE", "0"), ("DATABASE_KEEPALIVE_SECONDS", "-5"), ("MAX_BODY_BYTES", "-1"), ("HTTP_IDLE_TIMEOUT_SECONDS", "0"),
    ])
    func badValuesNameTheVariable(variable: String, value: String) {
        do {
            _ = try load([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("configuration error: \(variable): "))
        }
    }

    @Test("a database URL's password never appears in its error message")
    func passwordNotEchoed() {
        do {
            _ = try load(["DATABASE_URL": "postgresql://app:hunter2secret@host/db?bogus=1"])
            Issue.record("accepted a bad URL")
        } catch {
            #expect(!error.description.contains("hunter2secret"))
        }
    }

    @Test("a Unix socket directory is accepted as host, in the query or percent-encoded")
    func socketURLs() throws {
        let query = try PostgresURL(parsing: "postgresql://app:pw@/ledger?host=/srv/pg/run&port=5433", variable: "DATABASE_URL")
        #expect(query.socketPath == "/srv/pg/run/.s.PGSQL.5433")
        #expect(query.host == nil)
        let encoded = try PostgresURL(parsing: "postgresql://app@%2Fvar%2Frun%2Fpostgresql/ledger", variable: "DATABASE_URL")
        #expect(encoded.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test("serving requires DATABASE_URL")
    func databaseURLRequired() throws {
        let configuration = try load([:])
        #expect(throws: ConfigurationError.self) { try configuration.database.requireURL() }
    }
}
