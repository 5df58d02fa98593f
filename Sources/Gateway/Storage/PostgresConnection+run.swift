import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` and reads its result to the end. An error the server raises while producing rows arrives
    /// with the rows: left unread it would be lost, and the transaction's COMMIT would quietly roll back.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
