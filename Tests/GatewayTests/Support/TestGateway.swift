import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import Prometheus
@testable import Gateway

/// Builds the real gateway application against a test database, with fresh keys and a capturing log sink.
enum TestGateway {
    static func configuration(database: TestDatabase, port: Int = 0, corsOrigins: [String] = []) -> GatewayConfiguration {
        GatewayConfiguration(
            server: ServerSettings(host: "127.0.0.1", port: port, corsAllowedOrigins: corsOrigins, maxBodyBytes: 64 * 1024),
            database: DatabaseSettings(url: database.appURL, ownerURL: database.ownerURL, poolSize: 4),
            keys: KeySettings(
                signingKeyFile: "/nonexistent", signingKeyInline: PKCS8Ed25519.pem(for: .generate()),
                kekFile: "/nonexistent", kekInline: KeyEncryptionKey.generate().base64Text(),
                tokenKeyInline: PKCS8Ed25519.pem(for: .generate())),
            logging: LoggingSettings(level: .info, format: .json),
            // Never the default .data/witness path: a test must not write into a developer's real witness file.
            ledger: WriterHarness.settings(),
            accounts: AccountSettings(passwordHashCost: PasswordHasher.minimumCost),
            policy: PolicySettings(directory: Binaries.packageRoot.appendingPathComponent("policies").path),
            passkeys: PasskeyTestSite.settings)
    }

    /// Runs `test` against the router of an application built exactly as `gateway serve` builds it.
    static func withApp(
        database: TestDatabase,
        framework: TestingSetup = .router,
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        sink: CapturingLogSink = CapturingLogSink(),
        clock: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = configuration(database: database)
        configure(&configuration)
        let logger = Logger.gateway(configuration.logging, sink: sink)
        let app = try await buildApplication(
            configuration: configuration, dependencies: ApplicationDependencies(logger: logger, clock: clock, sleep: sleep))
        try await app.test(framework, test)
    }
}
