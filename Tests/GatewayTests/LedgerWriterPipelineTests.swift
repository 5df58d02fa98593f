import Foundation
import Ledger
import Logging
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Ledger writer: batches in flight behind each other", .serialized)
struct LedgerWriterPipelineTests {
    private let logger = Logger(label: "test")

    @Test("batches chained behind batches still in flight, some of them refused, leave every acknowledged append committed once")
    func overlappingBatchesWithRefusals() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            let appenders = 200, rounds = 15
            try await database.withClient(database.ownerURL) { client in
                try await client.query(
                    "INSERT INTO test_counter (id, value, version, seq) SELECT 'c' || i, '', 1, 0 FROM generate_series(0, \(appenders - 1)) i",
                    logger: TestPostgres.logger)
            }
            try await WriterHarness.with(database, settings: WriterHarness.settings(checkpointEvery: 100)) { harness in
                let before = try await harness.reader.head().seq
                // Each appender changes its own counter, and now and then sends a change from a version that never
                // was: the database refuses it inside a batch that batches behind it were chained on.
                let outcomes = try await withThrowingTaskGroup(of: (committed: Int, refused: Int, updated: Int).self) { group in
                    for appender in 0..<appenders {
                        group.addTask {
                            var version = 1, committed = 0, refused = 0
                            for round in 0..<rounds {
                                let stale = round % 5 == 3
                                let change = (id: "c\(appender)", fromVersion: stale ? 0 : version)
                                let projection = Projection.batched([
                                    batchedVersionedUpdate.row(change, conflictKey: "counter/c\(appender)"),
                                    batchedInsert.row("a\(appender)-\(round)", conflictKey: nil),
                                ])
                                do {
                                    _ = try await harness.writer.append(draft(), projection: projection)
                                    #expect(!stale, "a change from a version that never was committed")
                                    committed += 1
                                    version += 1
                                } catch {
                                    #expect(stale, "append failed: \(error)")
                                    #expect(PostgresErrorText.sqlState(of: error) == BatchStatement.preconditionFailed)
                                    refused += 1
                                }
                            }
                            return (committed, refused, version - 1)
                        }
                    }
                    var totals = (committed: 0, refused: 0, updated: 0)
                    for try await outcome in group {
                        totals.committed += outcome.committed
                        totals.refused += outcome.refused
                        totals.updated += outcome.updated
                    }
                    return totals
                }
                let staleRounds = (0..<rounds).filter { $0 % 5 == 3 }.count
                #expect(outcomes.refused == appenders * staleRounds)
                #expect(outcomes.committed == appenders * (rounds - staleRounds))
                #expect(harness.writer.batchesCommittedBehindAnother > 0, "no batch was chained behind one in flight")

                let entries = try await harness.verifiedChain()
                #expect(entries.count - Int(before) == outcomes.committed)
                let (versions, inserted) = try await database.withClient(database.appURL) { client in
                    var total = 0
                    for try await sum in try await client.query("SELECT sum(version - 1)::bigint FROM test_counter", logger: logger)
                        .decode(Int64.self) { total = Int(sum) }
                    let inserted = try await client.query("SELECT count(*)::bigint FROM test_projection", logger: logger).first(Int64.self)
                    return (total, inserted)
                }
                #expect(versions == outcomes.updated)
                #expect(inserted == Int64(outcomes.committed))
                // Each committed entry's projection row carries its seq: no entry without its change, nor the reverse.
                let projectedSeqs = try await database.withClient(database.appURL) { client in
                    var seqs: Set<Int64> = []
                    for try await seq in try await client.query("SELECT seq FROM test_projection", logger: logger).decode(Int64.self) {
                        seqs.insert(seq)
                    }
                    return seqs
                }
                #expect(projectedSeqs == Set(entries.map(\.entry.seq).filter { $0 > before }))
                // Checkpoints signed by overlapping batches each commit to the entries below them.
                let leaves = try await harness.reader.leafHashes(upTo: Int64(entries.count))
                let verifier = try Checkpoint.verifierKey(origin: harness.settings.origin, publicKey: harness.signingKey.publicKey)
                for (size, note) in try await harness.reader.checkpointNotes() {
                    let checkpoint = try Checkpoint.open(note, keys: [verifier])
                    #expect(checkpoint.rootHash == MerkleTree.root(Array(leaves.prefix(Int(size)))))
                }
            }
        }
    }
}
