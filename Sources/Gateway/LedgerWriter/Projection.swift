import Logging
import PostgresNIO

/// How an append updates the queryable tables, inside the entry's transaction.
enum Projection: Sendable {
    /// Any statements, run for this append alone.
    case custom(ProjectionUpdate)
    /// One row for a statement that the writer runs for many appends at once: neighbouring appends with the same
    /// projector share one statement, which the writer sends together with the entries in a single round trip.
    case batched(BatchedRow)
}

/// One append's row for a `BatchProjector`, type-erased so that rows of different projectors can share a batch.
struct BatchedRow: Sendable {
    /// The projector's identity: rows with the same group may share a statement.
    let group: String
    /// The row the projection touches, named across all tables (`patients/<id>`, say): two appends with the same
    /// key never share a statement, since one statement cannot see its own changes to a row.
    let conflictKey: String
    fileprivate let value: any Sendable
    fileprivate let write: @Sendable ([BatchedRow], [AppendContext], inout StatementBuilder) throws -> Void

    /// Appends the projector's statement for `rows` (all of this row's group, in order) to `statement`.
    static func write(_ rows: [BatchedRow], contexts: [AppendContext], into statement: inout StatementBuilder) throws {
        guard let first = rows.first else { return }
        try first.write(rows, contexts, &statement)
    }

    /// Runs the projector's statement for `rows` on its own.
    static func run(_ rows: [BatchedRow], contexts: [AppendContext], on connection: PostgresConnection, logger: Logger) async throws {
        var statement = StatementBuilder()
        try write(rows, contexts: contexts, into: &statement)
        guard !statement.sql.isEmpty else { return }
        try await connection.run(statement.query, logger: logger)
    }
}

/// A statement that projects many appends at once, typically `INSERT ... SELECT ... FROM unnest($1, $2, ...)`.
/// The writer may run it alone or as a part of a larger statement (a data-modifying `WITH` clause), so it must be
/// one data-modifying statement without a trailing semicolon. If it fails, the writer re-runs each of its rows
/// alone to find the one at fault, so a bad row still fails only its own append.
struct BatchProjector<Row: Sendable>: Sendable {
    let group: String
    let statement: @Sendable ([Row], [AppendContext], inout StatementBuilder) throws -> Void

    /// - Parameter statement: appends the statement for the given rows and their appends' contexts, binding every
    ///   value with `StatementBuilder.bind`.
    init(group: String, statement: @escaping @Sendable ([Row], [AppendContext], inout StatementBuilder) throws -> Void) {
        self.group = group
        self.statement = statement
    }

    /// The projection of one append.
    func project(_ row: Row, conflictKey: String) -> Projection {
        let statement = self.statement
        return .batched(BatchedRow(group: group, conflictKey: conflictKey, value: row) { rows, contexts, builder in
            // Every row of a group was made by this projector, so the cast cannot fail.
            try statement(rows.map { $0.value as! Row }, contexts, &builder)
        })
    }
}
