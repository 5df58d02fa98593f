import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` and reads its result to the end. An error the server raises while producing rows arrives
    /// with the rows: left unread it would be lost, and the transaction's COMMIT would quietly roll back.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}

extension PostgresRowSequence {
    /// The first row's single column, or nil when there are no rows.
    func first<Value: PostgresDecodable & Sendable>(_ type: Value.Type) async throws -> Value? {
        for try await value in decode(Value.self) { return value }
        return nil
    }
}
