import PostgresNIO

/// Assembles one SQL statement from fragments written by different parts of the writer. Values only ever enter
/// as bound parameters: `bind` returns the placeholder (`$3`) to write into the text.
struct StatementBuilder {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    /// Appends literal SQL text (never a value).
    mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `value` as the next parameter and returns its placeholder.
    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
