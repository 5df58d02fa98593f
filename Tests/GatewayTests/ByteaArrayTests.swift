import Foundation
import NIOCore
import PostgresNIO
import Testing
@testable import Gateway

@Suite("bytea[] parameters written from byte arrays")
struct ByteaArrayTests {
    @Test("PostgreSQL reads back each element, empty ones included, and an empty array", arguments: [
        [[0x00, 0xff, 0x10], [], Array(0...255), [0x5c, 0x27, 0x22]],
        [Array(repeating: 0xab, count: 70_000)],
        [],
    ] as [[[UInt8]]])
    func roundTrip(elements: [[UInt8]]) async throws {
        try await TestPostgres.withDatabase { database in
            try await database.withClient(database.appURL) { client in
                let rows = try await client.query(
                    """
                    SELECT coalesce(array_length(\(ByteaArray(elements: elements))::bytea[], 1), 0),
                           coalesce(array_to_string(ARRAY(SELECT encode(e, 'hex') FROM unnest(\(ByteaArray(elements: elements))::bytea[])
                                                          WITH ORDINALITY AS u(e, i) ORDER BY i), ','), '')
                    """, logger: TestPostgres.logger)
                var read: (Int, String)?
                for try await row in rows.decode((Int, String).self) { read = row }
                #expect(read?.0 == elements.count)
                #expect(read?.1 == elements.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: ","))
            }
        }
    }
}
