import PostgresNIO

extension PostgresClient {
    /// Runs `body` with a client whose connection pool is running, and shuts the pool down afterwards.
    /// For one-shot commands (`gateway migrate`); the server runs its client as a Service instead.
    @discardableResult
    static func withRunningClient<Result: Sendable>(
        _ configuration: PostgresClient.Configuration,
        _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
