import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Health, metrics and contract endpoints through the running application")
struct HealthEndpointTests {
    @Test("liveness answers 200 with status ok")
    func liveness() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                try await client.execute(uri: "/health/live", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                }
            }
        }
    }

    @Test("readiness answers 200 when the database is reachable, migrations are current and the key is loaded")
    func readinessWhenReady() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database, framework: .live) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                    #expect(body?["status"] as? String == "ready")
                    let checks = body?["checks"] as? [String: [String: Any]]
                    #expect(checks?["database"]?["ok"] as? Bool == true)
                    #expect(checks?["migrations"]?["ok"] as? Bool == true)
                    #expect(checks?["signingKey"]?["ok"] as? Bool == true)
                }
            }
        }
    }

    @Test("the gateway refuses to start when migrations are not applied")
    func refusesToStartUnmigrated() async throws {
        try await TestPostgres.withDatabase { database in
            await #expect(throws: MigrationError.self) {
                try await TestGateway.withApp(database: database) { _ in
                    Issue.record("the application served without its migrations")
                }
            }
        }
    }

    @Test("the readiness probe reports an unreachable database and unapplied migrations")
    func readinessProbeFailures() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: TestPostgres.logger)
            // A first connection authenticates (SCRAM) in a debug build; on a busy machine that can pass the probe's
            // two-second default, which is about a live gateway's pool, not this.
            let unmigrated = try await database.withClient(database.appURL) { client in
                await ReadinessProbe(client: client, migrator: migrator, signingKeyLoaded: true, logger: TestPostgres.logger,
                                     timeout: .seconds(60)).check()
            }
            #expect(unmigrated.database.ok)
            #expect(!unmigrated.migrations.ok)
            #expect(unmigrated.migrations.detail?.contains("gateway migrate") == true)
            #expect(!unmigrated.isReady)
        }
        var closed = try PostgresURL(parsing: "postgresql://nobody:x@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", variable: "T")
        closed.port = 1
        let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: TestPostgres.logger)
        let report = try await PostgresClient.withRunningClient(try closed.clientConfiguration(poolSize: 1)) { client in
            await ReadinessProbe(client: client, migrator: migrator, signingKeyLoaded: true, logger: TestPostgres.logger,
                                 timeout: .seconds(1)).check()
        }
        #expect(!report.database.ok)
        #expect(!report.isReady)
    }

    @Test("metrics are served in the Prometheus text format and count requests")
    func metrics() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                try await client.execute(uri: "/health/live", method: .get) { _ in }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"http_requests_total{method="GET",route="/health/live",status="200"} 1"#))
                }
            }
        }
    }

    @Test("the OpenAPI contract is served at /openapi.yaml")
    func contract() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(text.hasPrefix("openapi: 3.1.0"))
                    #expect(text.contains("/health/ready:"))
                }
            }
        }
    }

    @Test("an unknown route answers 404 problem+json carrying the request id of the response")
    func unknownRouteIsAProblem() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                try await client.execute(uri: "/no/such/thing", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try JSONDecoder().decode(Problem.self, from: Data(String(buffer: response.body).utf8))
                    #expect(problem.status == 404)
                    #expect(!problem.requestId.isEmpty)
                    #expect(problem.requestId == response.headers[.requestID])
                }
            }
        }
    }

    @Test("a body over the limit answers 413 before any handler runs")
    func oversizedBody() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                let body = ByteBuffer(repeating: UInt8(ascii: "a"), count: 70 * 1024)
                try await client.execute(uri: "/health/live", method: .post, body: body) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test("CORS headers are given to allowed origins only")
    func corsAllowList() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database, configure: { $0.server.corsAllowedOrigins = ["https://app.example.org"] }) { client in
                try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://app.example.org"]) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == "https://app.example.org")
                    #expect(response.headers[.accessControlAllowCredentials] == "true")
                }
                try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://evil.example.com"]) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                }
                try await client.execute(
                    uri: "/health/live", method: .options,
                    headers: [.origin: "https://app.example.org", .accessControlRequestMethod: "GET"]
                ) { response in
                    #expect(response.status == .noContent)
                    #expect(response.headers[.accessControlAllowMethods]?.contains("GET") == true)
                }
            }
        }
    }
}
