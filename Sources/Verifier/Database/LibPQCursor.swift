/// A server-side cursor, read a batch at a time, so that a large result (a whole table) is never held whole.
/// It lives in the connection's open transaction.
final class LibPQCursor {
    private let connection: LibPQConnection
    private let name: String
    private let batchSize: Int
    private var batch: [[String?]] = []
    private var position = 0
    private var finished = false

    init(_ connection: LibPQConnection, _ sql: String, _ parameters: [String] = [], batchSize: Int = 10_000) throws {
        self.connection = connection
        self.name = connection.nextCursorName()
        self.batchSize = batchSize
        _ = try connection.query("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", parameters)
    }

    /// The next row, or nil after the last.
    func next() throws -> [String?]? {
        if position == batch.count {
            guard !finished else { return nil }
            batch = try connection.query("FETCH \(batchSize) FROM \(name)")
            position = 0
            finished = batch.count < batchSize
            guard !batch.isEmpty else { return nil }
        }
        defer { position += 1 }
        return batch[position]
    }

    func close() throws {
        _ = try connection.query("CLOSE \(name)")
    }
}

extension LibPQConnection {
    /// Calls `body` with every row of `sql`, read through a cursor in the open transaction.
    func forEachRow(_ sql: String, _ parameters: [String] = [], _ body: ([String?]) throws -> Void) throws {
        let cursor = try LibPQCursor(self, sql, parameters)
        while let row = try cursor.next() { try body(row) }
        try cursor.close()
    }
}
