import Logging
import PostgresNIO

/// Runs `body` with a running database pool and ledger writer, for commands that append entries outside
/// `gateway serve` (the first administrator's invite, the benchmark). Refuses to run on pending or edited
/// migrations, like the server.
func withStandaloneWriter<Result: Sendable>(
    configuration: GatewayConfiguration, logger: Logger, poolSize: Int,
    _ body: @Sendable (PostgresClient, LedgerWriter) async throws -> Result
) async throws -> Result {
    let signingKey = try KeyLoader.signingKey(configuration.keys)
    let kek = try KeyLoader.keyEncryptionKey(configuration.keys)
    let client = PostgresClient(
        configuration: try configuration.database.requireURL().clientConfiguration(poolSize: poolSize), backgroundLogger: logger)
    let writer = LedgerWriter(
        settings: configuration.ledger, client: client, signingKey: signingKey, kek: kek, policyVersion: { nil }, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        try await Migrator(catalog: try MigrationCatalog.bundled(), logger: logger).requireCurrent(client)
        try await writer.prepareChain()
        group.addTask { try await writer.run() }
        defer { group.cancelAll() }
        return try await body(client, writer)
    }
}
