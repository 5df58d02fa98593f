import Foundation
import Ledger
import PostgresNIO
import Testing
@testable import Gateway

/// The writer chains each batch on the head it last committed and checks that guess under the head lock in the
/// same statement; these tests make the guess wrong in each way it can be wrong.
@Suite("The ledger writer's guessed head against a real PostgreSQL")
struct LedgerWriterGuessedHeadTests {
    let logger = TestPostgres.logger

    @Test("a batch chained on a head another writer has moved is re-chained under the lock and the chain verifies")
    func headMovedByAnotherWriter() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            let signingKey = Ed25519SigningKey.generate()
            let kek = KeyEncryptionKey.generate()
            try await WriterHarness.with(database, signingKey: signingKey, kek: kek) { first in
                try await WriterHarness.with(database, settings: first.settings, signingKey: signingKey, kek: kek) { second in
                    // Each writer's second append is chained on a head the other writer has since moved.
                    var seqs: [Int64] = []
                    for round in 0..<3 {
                        for (name, harness) in [("first", first), ("second", second)] {
                            let receipt = try await harness.writer.append(
                                draft(), projection: batchedInsert.project("\(name)-\(round)", conflictKey: "\(name)-\(round)"))
                            seqs.append(receipt.seq)
                        }
                    }
                    #expect(seqs == Array(2...7))
                    let entries = try await first.verifiedChain()
                    #expect(entries.count == 7)
                    let projected = try await projectedSeqs(database)
                    #expect(projected == Array(2...7), "every projection row points at its own entry")
                }
            }
        }
    }

    @Test("PHI for a subject another writer has shredded is refused, though this writer still holds the key")
    func shreddedByAnotherWriter() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let signingKey = Ed25519SigningKey.generate()
            let kek = KeyEncryptionKey.generate()
            try await WriterHarness.with(database, signingKey: signingKey, kek: kek) { first in
                try await WriterHarness.with(database, settings: first.settings, signingKey: signingKey, kek: kek) { second in
                    _ = try await first.writer.append(draft("patient.create", subject: "patient-1", payload: .phi(["name": "A"])))
                    _ = try await first.writer.append(draft("patient.update", subject: "patient-1", payload: .phi(["name": "B"])))
                    _ = try await second.writer.shred(subject: "patient-1", draft: draft("patient.shred", subject: "patient-1"))
                    await #expect(throws: LedgerWriteError.subjectShredded) {
                        try await first.writer.append(draft("patient.update", subject: "patient-1", payload: .phi(["name": "C"])))
                    }
                    let entries = try await first.verifiedChain()
                    #expect(entries.map(\.entry.action) == ["ledger.chain.create", "patient.create", "patient.update", "patient.shred"])
                }
            }
        }
    }

    @Test("a key shredded without the head moving is still seen: the check runs under the head lock")
    func shreddedWithoutHeadMoving() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                _ = try await harness.writer.append(draft("patient.create", subject: "patient-2", payload: .phi(["name": "A"])))
                _ = try await harness.writer.append(draft("patient.update", subject: "patient-2", payload: .phi(["name": "B"])))
                try await database.withClient(database.ownerURL) { client in
                    try await client.query(
                        "UPDATE subject_keys SET wrapped = NULL, nonce = NULL, shredded_at = now() WHERE subject_id = 'patient-2'",
                        logger: logger)
                }
                await #expect(throws: LedgerWriteError.subjectShredded) {
                    try await harness.writer.append(draft("patient.update", subject: "patient-2", payload: .phi(["name": "C"])))
                }
                // A neighbour without PHI for that subject is not held up by it.
                let receipt = try await harness.writer.append(draft())
                #expect(receipt.seq == 4)
                _ = try await harness.verifiedChain()
            }
        }
    }

    @Test("the runtime role cannot move the head backwards or sideways through ledger_advance_head")
    func advanceHeadRefusesStaleHead() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                _ = try await harness.writer.append(draft())
                let head = try await harness.reader.head()
                await #expect {
                    try await harness.client.withConnection { connection in
                        try await connection.run(
                            """
                            SELECT ledger_advance_head('main', \(head.seq - 1), \(ByteBuffer(bytes: head.hash)), \(head.seq + 1),
                                                       \(ByteBuffer(repeating: 1, count: 32)), ''::bytea, '{}'::text[])
                            """, logger: logger)
                    }
                } throws: { error in
                    PostgresErrorText.sqlState(of: error) == BatchStatement.headMoved
                }
                #expect(try await harness.reader.head().seq == head.seq)
            }
        }
    }

    @Test("a batch splits where a projection would change a row it already changed", arguments: [
        ([[String]](), [0..<0]),
        ([["a"], ["b"], [], ["c"]], [0..<4]),
        ([["a"], ["b"], ["a"], ["c"], ["b"]], [0..<2, 2..<5]),
        ([["a"], ["b"], ["b"], ["a"]], [0..<2, 2..<4]),
        ([["a"], [], ["a"], ["a"]], [0..<2, 2..<3, 3..<4]),
        ([["a", "x"], ["b"], ["c", "x"], ["a"]], [0..<2, 2..<4]),
        ([["a", "b"], ["c"], ["d", "b"]], [0..<2, 2..<3]),
    ])
    func segments(rows: [[String]], expected: [Range<Int>]) {
        #expect(BatchCommitter.segments(touching: rows) == expected)
    }

    private func projectedSeqs(_ database: TestDatabase) async throws -> [Int64] {
        try await database.withClient(database.appURL) { client in
            var seqs: [Int64] = []
            for try await seq in try await client.query("SELECT seq FROM test_projection ORDER BY seq", logger: logger).decode(Int64.self) {
                seqs.append(seq)
            }
            return seqs
        }
    }
}
