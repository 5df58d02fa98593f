import Logging
import PostgresNIO

/// How an append updates the queryable tables, inside the entry's transaction.
enum Projection: Sendable {
    /// Any statements, run for this append alone.
    case custom(ProjectionUpdate)
    /// One row for a statement that the writer runs for many appends at once: neighbouring appends with the same
    /// projector share one statement (and one round trip) per batch.
    case batched(BatchedRow)
}

/// One append's row for a `BatchProjector`, type-erased so that rows of different projectors can share a batch.
struct BatchedRow: Sendable {
    /// The projector's identity: rows with the same group may share a statement.
    let group: String
    /// The row's identity in its table: two rows with the same key never share a statement, since one statement
    /// (an upsert, say) cannot touch the same row twice.
    let conflictKey: String
    fileprivate let value: any Sendable
    fileprivate let execute: @Sendable ([BatchedRow], [AppendContext], PostgresConnection, Logger) async throws -> Void

    /// Runs the projector's statement for `rows` (all of this row's group), in order.
    static func run(_ rows: [BatchedRow], contexts: [AppendContext], on connection: PostgresConnection, logger: Logger) async throws {
        guard let first = rows.first else { return }
        try await first.execute(rows, contexts, connection, logger)
    }
}

/// A statement that projects many appends at once, typically `INSERT ... SELECT ... FROM unnest($1, $2, ...)`.
/// If the statement fails, the writer re-runs each of its rows alone to find the one at fault, so a bad row
/// still fails only its own append.
struct BatchProjector<Row: Sendable>: Sendable {
    let group: String
    let statement: @Sendable ([Row], [AppendContext], PostgresConnection, Logger) async throws -> Void

    init(group: String, statement: @escaping @Sendable ([Row], [AppendContext], PostgresConnection, Logger) async throws -> Void) {
        self.group = group
        self.statement = statement
    }

    /// The projection of one append.
    func project(_ row: Row, conflictKey: String) -> Projection {
        let statement = self.statement
        return .batched(BatchedRow(group: group, conflictKey: conflictKey, value: row) { rows, contexts, connection, logger in
            // Every row of a group was made by this projector, so the cast cannot fail.
            try await statement(rows.map { $0.value as! Row }, contexts, connection, logger)
        })
    }
}
