import CLibPQ
import Foundation

/// A PostgreSQL connection through libpq, so that the verifier honours every libpq convention: a conninfo string
/// or URL, the `PG*` environment variables, `~/.pgpass` and service files. Results are read as text.
final class LibPQConnection {
    private let connection: OpaquePointer
    private var cursorsOpened = 0
    /// Kept for `another()`.
    private let conninfo: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects with `conninfo` (`host=... dbname=...` or `postgresql://...`); an empty string takes everything
    /// from the environment, as psql does.
    init(conninfo: String) throws {
        guard let connection = PQconnectdb(conninfo) else { throw Failure(description: "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(of: connection)
            PQfinish(connection)
            throw Failure(description: "could not connect to PostgreSQL: \(message)")
        }
        self.connection = connection
        self.conninfo = conninfo
        // A verifier reads; it must not be able to change what it verifies, even by mistake.
        _ = try query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    }

    deinit { PQfinish(connection) }

    /// Starts a read-only transaction that sees one snapshot throughout, so that the chain, its checkpoints and the
    /// tables compared with it are read as of one moment even while the gateway goes on writing. With `snapshot`
    /// (from `exportSnapshot` on another connection), it sees that connection's snapshot.
    func beginSnapshot(importing snapshot: String? = nil) throws {
        _ = try query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if let snapshot {
            guard snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { throw Failure(description: "unexpected snapshot id") }
            _ = try query("SET TRANSACTION SNAPSHOT '\(snapshot)'")
        }
    }

    /// The id of this transaction's snapshot, for `beginSnapshot(importing:)`.
    func exportSnapshot() throws -> String {
        guard let id = try query("SELECT pg_export_snapshot()").first?.first ?? nil else {
            throw Failure(description: "PostgreSQL returned no snapshot id")
        }
        return id
    }

    func commit() throws {
        _ = try query("COMMIT")
    }

    /// A second connection to the same database, for reading beside a COPY in progress on this one.
    func another() throws -> LibPQConnection {
        try LibPQConnection(conninfo: conninfo)
    }

    /// A name for a new cursor, unique on this connection.
    func nextCursorName() -> String {
        cursorsOpened += 1
        return "verifier_cursor_\(cursorsOpened)"
    }

    /// Runs `sql` with text parameters and returns every row's columns as text (nil for NULL). For small results.
    func query(_ sql: String, _ parameters: [String] = []) throws -> [[String?]] {
        let result = parameters.withCStrings { pointers in
            PQexecParams(connection, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw Failure(description: Self.message(of: result, connection: connection))
        }
        var rows: [[String?]] = []
        for row in 0..<PQntuples(result) {
            rows.append((0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        return rows
    }

    /// Streams `COPY (select) TO STDOUT (FORMAT binary)`: each row's tuple bytes (field count, then each field's
    /// length and bytes) are handed to `row` as they arrive, valid only during the call. Binary format spares both
    /// sides encoding and parsing text; the caller decodes the fields.
    func copyOutBinary(_ select: String, row: (UnsafeRawBufferPointer) throws -> Void) throws {
        let started = PQexec(connection, "COPY (\(select)) TO STDOUT (FORMAT binary)")
        let status = PQresultStatus(started)
        let startMessage = status == PGRES_COPY_OUT ? "" : Self.message(of: started, connection: connection)
        PQclear(started)
        guard status == PGRES_COPY_OUT else { throw Failure(description: startMessage) }
        var headerSkipped = false
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(connection, &buffer, 0)
            if length == -1 { break }
            guard length >= 0, let buffer else { throw Failure(description: "COPY failed: \(Self.message(of: connection))") }
            defer { PQfreemem(buffer) }
            var bytes = UnsafeRawBufferPointer(start: buffer, count: Int(length))
            if !headerSkipped {
                // "PGCOPY\n\xff\r\n\0", flags (int32), header extension length (int32) and the extension.
                guard bytes.count >= 19, bytes.prefix(11).elementsEqual(BinaryCopy.signature) else {
                    throw Failure(description: "COPY did not start with the binary header")
                }
                let extensionLength = Int(BinaryCopy.int32(bytes, at: 15))
                bytes = UnsafeRawBufferPointer(rebasing: bytes[(19 + extensionLength)...])
                headerSkipped = true
                if bytes.isEmpty { continue }
            }
            // The trailer: a field count of -1.
            if bytes.count == 2, bytes[0] == 0xff, bytes[1] == 0xff { continue }
            try row(bytes)
        }
        let finished = PQgetResult(connection)
        defer { PQclear(finished) }
        guard PQresultStatus(finished) == PGRES_COMMAND_OK else {
            throw Failure(description: Self.message(of: finished, connection: connection))
        }
        while let extra = PQgetResult(connection) { PQclear(extra) }
    }

    private static func message(of connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func message(of result: OpaquePointer?, connection: OpaquePointer) -> String {
        if let result, let text = PQresultErrorMessage(result), text.pointee != 0 {
            return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return message(of: connection)
    }
}

extension Array where Element == String {
    /// Calls `body` with C strings for every element, valid for the call only.
    fileprivate func withCStrings<Result>(_ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
        let duplicates = map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        return body(duplicates.map { UnsafePointer($0) })
    }
}
