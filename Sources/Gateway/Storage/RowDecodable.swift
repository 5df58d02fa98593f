import PostgresNIO

/// A record read from the leading columns of a row, in the order its type's `columns` lists them.
protocol RowDecodable: Sendable {
    init(_ row: PostgresRow) throws
}

extension RowDecodable {
    /// Every row of `rows`, decoded.
    static func decode(_ rows: PostgresRowSequence) async throws -> [Self] {
        var records: [Self] = []
        for try await row in rows { records.append(try Self(row)) }
        return records
    }
}
