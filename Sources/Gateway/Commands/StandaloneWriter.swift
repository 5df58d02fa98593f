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
    let database = try configuration.database.clientConfiguration(poolSize: poolSize)
    let client = PostgresClient(configuration: database, eventLoopGroup: SpreadEventLoops.shared, backgroundLogger: logger)
    let writer = LedgerWriter(
        settings: configuration.ledger, client: client, database: database, signingKey: signingKey, kek: kek, policyVersion: { nil },
        logger: logger)
    return try await withRunning(client, writer) {
        try await Migrator(catalog: try MigrationCatalog.bundled(), logger: logger).requireCurrent(client)
    } body: {
        try await body(client, writer)
    }
}

/// Runs `client` and, once `prepare` has succeeded, `writer`'s loop, then `body`. Afterwards stops them in order:
/// the writer first (committing what is queued), then the pool it commits through.
func withRunning<Result: Sendable>(
    _ client: PostgresClient, _ writer: LedgerWriter, prepare: () async throws -> Void = {},
    body: () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { poolGroup in
        poolGroup.addTask { await client.run() }
        defer { poolGroup.cancelAll() }
        try await prepare()
        try await writer.prepareChain()
        return try await withThrowingTaskGroup(of: Void.self) { writerGroup in
            writerGroup.addTask { try await writer.run() }
            defer { writerGroup.cancelAll() }
            return try await body()
        }
    }
}
