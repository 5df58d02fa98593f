import Logging
import PostgresNIO

/// How an append updates the queryable tables, inside the entry's transaction.
enum Projection: Sendable {
    /// Any statements, run for this append alone.
    case custom(ProjectionUpdate)
    /// Rows for statements that the writer runs for many appends at once: neighbouring appends' rows of the same
    /// projector share one statement, which the writer sends together with the entries in a single round trip. One
    /// append may give rows of several projectors (a change and its access-log row); they must touch different rows.
    /// Each projector's statement runs once for the rows of many appends, the projectors in the order they first
    /// appear; so a row that needs another projector's row (a tag link needs its task) comes after it in every append,
    /// and foreign keys between them hold at the end of the statement.
    case batched([BatchedRow])

    /// The rows an append's projection touches (see `BatchedRow.conflictKey`); empty for a custom projection.
    var conflictKeys: [String] {
        guard case .batched(let rows) = self else { return [] }
        return rows.compactMap(\.conflictKey)
    }
}

/// One append's row for a `BatchProjector`, type-erased so that rows of different projectors can share a batch.
struct BatchedRow: Sendable {
    /// The projector's identity: rows with the same group may share a statement.
    let group: String
    /// The existing row the projection changes, named across all tables (`patients/<id>`, say), or nil when it only
    /// adds rows: two appends that change one row never share a statement, since one statement cannot see its own
    /// changes to a row.
    let conflictKey: String?
    /// For a change made as of a read of its row: the seq of the entry that had last changed the row then. The writer
    /// refuses the append at once when it has itself committed a later change of the row since, instead of sending a
    /// statement that would fail.
    let basis: Int64?
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
/// alone to find the one at fault, so a bad row still fails only its own append. A statement that must not apply a
/// row whose precondition no longer holds (a version that moved on) raises through `projection_expect` (SQLSTATE
/// `BatchStatement.preconditionFailed`).
struct BatchProjector<Row: Sendable>: Sendable {
    let group: String
    let statement: @Sendable ([Row], [AppendContext], inout StatementBuilder) throws -> Void

    /// - Parameter statement: appends the statement for the given rows and their appends' contexts, binding every
    ///   value with `StatementBuilder.bind`.
    init(group: String, statement: @escaping @Sendable ([Row], [AppendContext], inout StatementBuilder) throws -> Void) {
        self.group = group
        self.statement = statement
    }

    /// One append's row, to combine with rows of other projectors in `Projection.batched`.
    func row(_ row: Row, conflictKey: String?, basis: Int64? = nil) -> BatchedRow {
        let statement = self.statement
        return BatchedRow(group: group, conflictKey: conflictKey, basis: basis, value: row) { rows, contexts, builder in
            // Every row of a group was made by this projector, so the cast cannot fail.
            try statement(rows.map { $0.value as! Row }, contexts, &builder)
        }
    }

    /// The projection of an append with this projector's row alone.
    func project(_ row: Row, conflictKey: String?) -> Projection {
        .batched([self.row(row, conflictKey: conflictKey)])
    }
}
