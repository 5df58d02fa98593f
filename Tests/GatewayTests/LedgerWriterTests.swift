import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO
import Synchronization
import ServiceLifecycle
import Testing
@testable import Gateway

@Suite("The group-commit ledger writer against a real PostgreSQL")
struct LedgerWriterTests {
    let logger = TestPostgres.logger

    @Test("a new chain starts with a signed creation entry and a checkpoint")
    func chainCreation() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                let entries = try await harness.verifiedChain()
                #expect(entries.count == 1)
                #expect(entries[0].entry.action == "ledger.chain.create")
                let notes = try await harness.reader.checkpointNotes()
                #expect(notes.map(\.treeSize) == [1])
            }
        }
    }

    @Test("thousands of concurrent appends through two writers on one chain, batched and not, stay gap-free and verify")
    func concurrentAppendsTwoWriters() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            let signingKey = Ed25519SigningKey.generate()
            let kek = KeyEncryptionKey.generate()
            let perWriter = 1500
            try await WriterHarness.with(database, settings: WriterHarness.settings(checkpointEvery: 250), signingKey: signingKey, kek: kek) { first in
                try await WriterHarness.with(database, settings: first.settings, signingKey: signingKey, kek: kek) { second in
                    let receipts = try await withThrowingTaskGroup(of: [AppendReceipt].self) { group in
                        for task in 0..<40 {
                            let writer = task.isMultiple(of: 2) ? first.writer : second.writer
                            group.addTask {
                                var receipts: [AppendReceipt] = []
                                for i in 0..<(2 * perWriter / 40) {
                                    // Half the tasks' projections run their own statements (under the head lock), half
                                    // are batched into the one statement chained on the guessed head.
                                    let value = "t\(task)-\(i)"
                                    let projection: Projection = task % 4 < 2
                                        ? .custom(testProjection(value)) : batchedInsert.project(value, conflictKey: value)
                                    receipts.append(try await writer.append(draft(), projection: projection))
                                }
                                return receipts
                            }
                        }
                        var all: [AppendReceipt] = []
                        for try await batch in group { all += batch }
                        return all
                    }
                    #expect(receipts.count == 2 * perWriter)
                    #expect(Set(receipts.map(\.seq)).count == receipts.count, "two appends got the same seq")
                    let entries = try await first.verifiedChain()
                    #expect(entries.count == 2 * perWriter + 1)
                    let projected = try await database.withClient(database.appURL) { client in
                        var count = 0
                        for try await n in try await client.query("SELECT count(*) FROM test_projection", logger: logger).decode(Int.self) { count = n }
                        return count
                    }
                    #expect(projected == 2 * perWriter)
                    // Every stored checkpoint is signed and commits to the entries below it.
                    let leaves = try await first.reader.leafHashes(upTo: Int64(entries.count))
                    let verifier = try Checkpoint.verifierKey(origin: first.settings.origin, publicKey: signingKey.publicKey)
                    let notes = try await first.reader.checkpointNotes()
                    #expect(notes.count >= 2)
                    for (size, note) in notes {
                        let checkpoint = try Checkpoint.open(note, keys: [verifier])
                        #expect(checkpoint.treeSize == size)
                        #expect(checkpoint.rootHash == MerkleTree.root(Array(leaves.prefix(Int(size)))))
                        #expect(checkpoint.headHash == entries[Int(size) - 1].entryHash)
                    }
                }
            }
        }
    }

    @Test("a failing projection fails only its own append and leaves no entry; its neighbours commit")
    func projectionFailureIsIsolated() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            try await WriterHarness.with(database) { harness in
                let values = (0..<30).map { $0 == 13 ? "bad" : "ok-\($0)" }
                let outcomes = await harness.appendConcurrently(values) { .custom(testProjection($0)) }
                #expect(outcomes["bad"] == false)
                #expect(outcomes.values.filter { $0 }.count == 29)
                let entries = try await harness.verifiedChain()
                #expect(entries.count == 30)  // the creation entry and 29 appends
                let projected = try await database.withClient(database.appURL) { client in
                    var values: [String] = []
                    for try await value in try await client.query("SELECT value FROM test_projection", logger: logger).decode(String.self) {
                        values.append(value)
                    }
                    return values
                }
                #expect(projected.count == 29)
                #expect(!projected.contains("bad"))
            }
        }
    }

    @Test("a failing projection hands its own error to its caller")
    func projectionErrorReachesCaller() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            try await WriterHarness.with(database) { harness in
                await #expect(throws: PSQLError.self) {
                    try await harness.writer.append(draft(), projection: testProjection("bad"))
                }
                let entries = try await harness.verifiedChain()
                #expect(entries.count == 1)
            }
        }
    }

    /// A migrated database and a writer that gives up on a commit after 2 seconds.
    private func withTwoSecondCommitTimeout(_ body: @Sendable (TestDatabase, WriterHarness) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            var settings = WriterHarness.settings()
            settings.commitTimeout = .seconds(2)
            try await WriterHarness.with(database, settings: settings) { harness in try await body(database, harness) }
        }
    }

    @Test("a commit that does not finish in time is answered as unknown, and the writer goes on once the database does")
    func commitTimeout() async throws {
        try await withTwoSecondCommitTimeout { database, harness in
            try await database.withClient(database.ownerURL) { owner in
                // Holding the head row lock stalls the writer's statement, as a database that stopped answering would.
                let appending = try await owner.withTransaction(logger: logger) { connection in
                    try await connection.query("SELECT seq FROM ledger_heads WHERE chain_id = 'main' FOR UPDATE", logger: logger)
                    let answered = Atomic(false)
                    let appending = Task {
                        defer { answered.store(true, ordering: .releasing) }
                        return try await harness.writer.append(draft())
                    }
                    // Held until the append is answered, or for 15 seconds at most, so that a writer without a
                    // deadline fails this test instead of hanging it.
                    let started = ContinuousClock.now
                    while !answered.load(ordering: .acquiring), ContinuousClock.now - started < .seconds(15) {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    return appending
                }
                await #expect(throws: LedgerWriteError.outcomeUnknown) { try await appending.value }
            }
            // The abandoned batch may have committed once the lock went; either way the next append is chained on
            // the head as it is.
            let receipt = try await harness.writer.append(draft())
            let entries = try await harness.verifiedChain()
            #expect(entries.last?.entryHash == receipt.entryHash)
        }
    }

    @Test("a writer transaction left idle while holding the head lock is ended by the database, so later appends go on")
    func stalledTransactionReleasesTheHead() async throws {
        try await withTwoSecondCommitTimeout { _, harness in
            _ = try await harness.writer.append(draft())
            let before = try await harness.verifiedChain().count
            // A projection that stalls inside the transaction after the head row is locked, as a gateway that
            // stopped running, or lost its network, in the middle of a batch would.
            let stalled = Task {
                try await harness.writer.append(draft()) { connection, _, logger in
                    try await connection.query("SELECT 1", logger: logger)
                    try await Task.sleep(for: .seconds(12))
                }
            }
            await #expect(throws: LedgerWriteError.outcomeUnknown) { try await stalled.value }
            // Without the server ending the stalled transaction, its lock would outlast this append's own 2 s.
            let receipt = try await harness.writer.append(draft())
            let entries = try await harness.verifiedChain()
            // The stalled append's transaction was rolled back with its session.
            #expect(entries.last?.entryHash == receipt.entryHash)
            #expect(entries.count == before + 1)
        }
    }

    @Test("appends acknowledged before the writer is killed are all there, and a new writer continues the chain")
    func nothingAcknowledgedIsLost() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            let signingKey = Ed25519SigningKey.generate()
            let kek = KeyEncryptionKey.generate()
            let settings = WriterHarness.settings()
            let acknowledged = try await WriterHarness.with(database, settings: settings, signingKey: signingKey, kek: kek) { harness in
                // Appends race with the end of this scope, which cancels the writer mid-stream.
                let collected = Collector()
                await withTaskGroup(of: Void.self) { group in
                    for task in 0..<16 {
                        group.addTask {
                            for i in 0..<40 {
                                if let receipt = try? await harness.writer.append(draft(), projection: testProjection("k\(task)-\(i)")) {
                                    await collected.add(receipt)
                                }
                            }
                        }
                    }
                    // Stopped once some appends are acknowledged, however slow the machine.
                    await collected.waitForCount(atLeast: 20)
                    group.cancelAll()
                }
                return await collected.receipts
            }
            #expect(!acknowledged.isEmpty)
            try await WriterHarness.with(database, settings: settings, signingKey: signingKey, kek: kek) { harness in
                let before = try await harness.verifiedChain()
                let stored = Dictionary(uniqueKeysWithValues: before.map { ($0.entry.seq, $0.entryHash) })
                for receipt in acknowledged {
                    #expect(stored[receipt.seq] == receipt.entryHash, "acknowledged seq \(receipt.seq) is missing or different")
                }
                _ = try await harness.writer.append(draft(), projection: testProjection("after-restart"))
                let after = try await harness.verifiedChain()
                #expect(after.count == before.count + 1)
            }
        }
    }

    @Test("appends still queued when the writer stops are committed or refused, never left waiting")
    func queuedAppendsAnsweredAtStop() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let settings = WriterHarness.settings()
            let signingKey = Ed25519SigningKey.generate()
            let appends = try await WriterHarness.with(database, settings: settings, signingKey: signingKey) { harness in
                // Unstructured, so they outlive this scope, whose end stops the writer (and then the pool) while they
                // keep appending: some appends are always queued at that moment.
                let progress = Collector()
                let appends = (0..<30).map { _ in
                    Task {
                        var receipts: [AppendReceipt] = []
                        while let receipt = try? await harness.writer.append(draft()) {
                            receipts.append(receipt)
                            await progress.add(receipt)
                        }
                        return receipts
                    }
                }
                // Stopped once appends are flowing, however slow the machine.
                await progress.waitForCount(atLeast: 50)
                return appends
            }
            // Unstructured, and raced with a timer: an append never answered fails the test rather than hanging it (a
            // task group would wait for the child that waits for it).
            let answered = FirstAnswer<[AppendReceipt]?>()
            Task {
                var receipts: [AppendReceipt] = []
                for append in appends { receipts += await append.value }
                answered.offer(receipts)
            }
            Task {
                try? await Task.sleep(for: .seconds(20))
                answered.offer(nil)
            }
            let committed = try #require(await answered.value, "some appends were never answered")
            #expect(!committed.isEmpty)
            try await WriterHarness.with(database, settings: settings, signingKey: signingKey) { harness in
                let stored = Dictionary(uniqueKeysWithValues: try await harness.verifiedChain().map { ($0.entry.seq, $0.entryHash) })
                for receipt in committed {
                    #expect(stored[receipt.seq] == receipt.entryHash)
                }
            }
        }
    }

    @Test("at graceful shutdown the writer commits what is queued, checkpoints running meanwhile, then stops")
    func gracefulShutdownCommitsTheQueue() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            var settings = WriterHarness.settings(checkpointEvery: 7)
            // Checkpoints all the time, so that one is usually in flight when the shutdown comes.
            settings.checkpointInterval = .milliseconds(5)
            let signingKey = Ed25519SigningKey.generate()
            let logger = Logger(label: "test-writer")
            let configuration = try database.appURL.clientConfiguration(poolSize: 4)
            let client = PostgresClient(configuration: configuration)
            let writer = LedgerWriter(
                settings: settings, client: client, database: configuration, signingKey: signingKey, kek: .generate(),
                policyVersion: { nil }, logger: logger)
            // As the gateway runs them: the pool first, so that it stops after the writer.
            let services = ServiceGroup(services: [client, writer], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            let running = Task { try await services.run() }
            try await writer.prepareChain()
            let progress = Collector()
            let appenders = (0..<30).map { _ in
                Task {
                    var receipts: [AppendReceipt] = []
                    var failure: LedgerWriteError?
                    while true {
                        do {
                            let receipt = try await writer.append(draft())
                            receipts.append(receipt)
                            await progress.add(receipt)
                        } catch {
                            failure = error as? LedgerWriteError
                            break
                        }
                    }
                    return (receipts, failure)
                }
            }
            await progress.waitForCount(atLeast: 50)
            await services.triggerGracefulShutdown()

            // Unstructured, and raced with a timer: a writer that never stops fails the test rather than hanging it.
            let stopped = FirstAnswer<[([AppendReceipt], LedgerWriteError?)]?>()
            Task {
                _ = try? await running.value
                var outcomes: [([AppendReceipt], LedgerWriteError?)] = []
                for appender in appenders { outcomes.append(await appender.value) }
                stopped.offer(outcomes)
            }
            Task {
                try? await Task.sleep(for: .seconds(30))
                stopped.offer(nil)
            }
            let answered = try #require(await stopped.value, "the writer did not stop, or some appends were never answered")
            // Each appender stopped at its first refusal, and the only refusal is the one for appends that came after
            // the shutdown began: none was lost in the queue.
            #expect(answered.allSatisfy { $0.1 == .unavailable("the ledger writer is shutting down") })
            let committed = answered.flatMap(\.0)
            try await WriterHarness.with(database, settings: settings, signingKey: signingKey) { harness in
                let chain = try await harness.verifiedChain()
                let stored = Dictionary(uniqueKeysWithValues: chain.map { ($0.entry.seq, $0.entryHash) })
                #expect(committed.allSatisfy { stored[$0.seq] == $0.entryHash })
                // Besides the chain's creation, the chain holds exactly the appends that were answered.
                #expect(chain.count == committed.count + 1)
            }
        }
    }

    @Test("batched projections: a bad row fails only its own append, its neighbours in the same statement commit")
    func batchedProjectionFailureIsIsolated() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            try await WriterHarness.with(database) { harness in
                let values = (0..<40).map { $0 == 21 ? "bad" : "ok-\($0)" }
                let outcomes = await harness.appendConcurrently(values) { batchedInsert.project($0, conflictKey: $0) }
                #expect(outcomes["bad"] == false)
                #expect(outcomes.values.filter { $0 }.count == 39)
                let entries = try await harness.verifiedChain()
                #expect(entries.count == 40)
                let rows = try await database.withClient(database.appURL) { client in
                    var rows: [(String, Int64)] = []
                    for try await row in try await client.query("SELECT entry_id, seq FROM test_projection", logger: logger).decode((String, Int64).self) {
                        rows.append(row)
                    }
                    return rows
                }
                #expect(rows.count == 39)
                // Each projected row names the entry it belongs to.
                let bySeq = Dictionary(uniqueKeysWithValues: entries.map { ($0.entry.seq, $0.entry.id) })
                for (entryID, seq) in rows { #expect(bySeq[seq] == entryID) }
            }
        }
    }

    @Test("batched upserts of the same row in one batch apply one after another, in chain order")
    func batchedSameKeyKeepsOrder() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            try await WriterHarness.with(database) { harness in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<25 {
                        group.addTask {
                            _ = try await harness.writer.append(
                                draft(), projection: batchedUpsert.project((id: "patient-1", value: "v\(i)"), conflictKey: "patient-1"))
                        }
                    }
                    try await group.waitForAll()
                }
                let entries = try await harness.verifiedChain()
                let (version, seq) = try await database.withClient(database.appURL) { client in
                    var result: (Int, Int64) = (0, 0)
                    for try await row in try await client.query("SELECT version, seq FROM test_counter WHERE id = 'patient-1'", logger: logger)
                        .decode((Int, Int64).self) { result = row }
                    return result
                }
                #expect(version == 25)
                #expect(seq == entries.last!.entry.seq)
            }
        }
    }

    @Test("a batched change whose row moved on fails alone with its precondition error; its neighbours' rows and entries commit")
    func batchedPreconditionFailsOnlyItsAppend() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.createTestProjection()
            try await database.withClient(database.ownerURL) { client in
                try await client.query(
                    "INSERT INTO test_counter (id, value, version, seq) SELECT 'c' || i, '', 1, 0 FROM generate_series(0, 29) i",
                    logger: TestPostgres.logger)
            }
            try await WriterHarness.with(database) { harness in
                /// Appends each change at once, with an insert beside it; the ids whose appends failed, and their SQLSTATEs.
                func appendAtOnce(_ changes: [(id: String, fromVersion: Int)], basis: [String: Int64] = [:]) async -> [(String, String)] {
                    await withTaskGroup(of: (String, String)?.self) { group in
                        for (slot, change) in changes.enumerated() {
                            group.addTask {
                                let projection = Projection.batched([
                                    batchedVersionedUpdate.row(change, conflictKey: "counter/\(change.id)", basis: basis[change.id]),
                                    batchedInsert.row("\(change.id)-\(change.fromVersion)-\(slot)", conflictKey: nil),
                                ])
                                do {
                                    _ = try await harness.writer.append(draft(), projection: projection)
                                    return nil
                                } catch {
                                    return (change.id, PostgresErrorText.sqlState(of: error) ?? "\(error)")
                                }
                            }
                        }
                        return await group.reduce(into: []) { if let failed = $1 { $0.append(failed) } }
                    }
                }
                let before = try await harness.reader.head().seq
                // Row c13 is not at version 7; c5 is changed twice from version 1, so whichever goes second fails. The
                // first batch goes under the head lock, the next ones (chained on the head this writer knows) as one
                // statement each.
                let first = await appendAtOnce((0..<30).map { (id: "c\($0)", fromVersion: $0 == 13 ? 7 : 1) } + [(id: "c5", fromVersion: 1)])
                #expect(first.map(\.0).sorted() == ["c13", "c5"], "\(first)")
                #expect(first.allSatisfy { $0.1 == BatchStatement.preconditionFailed })
                // Now each change says which entry last changed its row when it was read: the writer itself refuses
                // the second change of c7, which it knows to be outdated, without asking the database.
                let seqs = try await database.withClient(database.appURL) { client in
                    var seqs: [String: Int64] = [:]
                    for try await (id, seq) in try await client.query("SELECT id, seq FROM test_counter", logger: logger)
                        .decode((String, Int64).self) { seqs[id] = seq }
                    return seqs
                }
                let second = await appendAtOnce(
                    (0..<30).map { (id: "c\($0)", fromVersion: $0 == 13 ? 1 : 2) } + [(id: "c7", fromVersion: 2)], basis: seqs)
                #expect(second.map(\.0) == ["c7"], "\(second)")
                #expect(second.first?.1 == "\(LedgerWriteError.rowChangedMeanwhile)")

                let entries = try await harness.verifiedChain()
                #expect(entries.count - Int(before) == 29 + 30)
                let (versions, inserted) = try await database.withClient(database.appURL) { client in
                    var versions: [String: Int] = [:]
                    for try await (id, version) in try await client.query("SELECT id, version FROM test_counter", logger: logger)
                        .decode((String, Int).self) { versions[id] = version }
                    let inserted = try await client.query("SELECT count(*)::bigint FROM test_projection", logger: logger).first(Int64.self)
                    return (versions, inserted)
                }
                #expect(versions["c13"] == 2 && versions.values.filter { $0 == 3 }.count == 29)
                #expect(inserted == 59)
            }
        }
    }

    @Test("a sealed payload opens with the subject's unwrapped key and not with another KEK")
    func sealedPayloads() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                let phi: JSONValue = ["name": "Jane Example", "birthDate": "1970-01-01"]
                let receipt = try await harness.writer.append(draft("patient.create", subject: "patient-7", payload: .phi(phi)))
                let entry = try await harness.reader.entries(receipt.seq...receipt.seq)[0]
                #expect(!String(decoding: entry.canonicalBytes, as: UTF8.self).contains("Jane"))
                guard case .sealed(let sealed) = entry.entry.payload else {
                    Issue.record("payload is not sealed")
                    return
                }
                let wrapped = try await storedKey(harness.client, subject: "patient-7")
                let key = try KeyWrapping.unwrap(wrapped, with: harness.kek, chain: "main", subject: "patient-7")
                let opened = try PayloadSealer.open(sealed, key: key, chain: "main", subject: "patient-7", entryID: entry.entry.id)
                #expect(try JSONParser.parse(opened) == phi)
                #expect(throws: SealingError.openFailed) {
                    try KeyWrapping.unwrap(wrapped, with: KeyEncryptionKey.generate(), chain: "main", subject: "patient-7")
                }
            }
        }
    }

    @Test("shredding destroys the subject's key, refuses new PHI for them, and the chain still verifies")
    func cryptoShredding() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                _ = try await harness.writer.append(draft("patient.create", subject: "patient-9", payload: .phi(["name": "To Forget"])))
                _ = try await harness.writer.append(draft("patient.create", subject: "patient-10", payload: .phi(["name": "To Keep"])))
                _ = try await harness.writer.shred(subject: "patient-9", draft: draft("patient.shred", subject: "patient-9"))
                await #expect(throws: LedgerWriteError.subjectShredded) {
                    try await harness.writer.append(draft("patient.update", subject: "patient-9", payload: .phi(["name": "Again"])))
                }
                await #expect(throws: (any Error).self) { try await storedKey(harness.client, subject: "patient-9") }
                _ = try await storedKey(harness.client, subject: "patient-10")
                let entries = try await harness.verifiedChain()
                #expect(entries.map(\.entry.action) == ["ledger.chain.create", "patient.create", "patient.create", "patient.shred"])
                // The runtime role cannot bring the key back.
                await #expect(throws: PSQLError.self) {
                    try await harness.client.query(
                        "UPDATE subject_keys SET wrapped = '\\x00'::bytea, nonce = \(ByteBuffer(repeating: 0, count: 24)), shredded_at = NULL WHERE subject_id = 'patient-9'",
                        logger: logger)
                }
            }
        }
    }

    @Test("shredding a subject that never had PHI still refuses PHI for them afterwards")
    func shredBeforeAnyPHI() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                _ = try await harness.writer.shred(subject: "patient-11", draft: draft("patient.shred", subject: "patient-11"))
                _ = try await harness.writer.shred(subject: "patient-11", draft: draft("patient.shred", subject: "patient-11"))
                await #expect(throws: LedgerWriteError.subjectShredded) {
                    try await harness.writer.append(draft("patient.create", subject: "patient-11", payload: .phi(["name": "New"])))
                }
                let entries = try await harness.verifiedChain()
                #expect(entries.count == 3)
            }
        }
    }

    @Test("checkpoints are written every N entries to the database and the witness file, and verify")
    func checkpointsAndWitness() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database, settings: WriterHarness.settings(checkpointEvery: 10, maxBatch: 4)) { harness in
                for _ in 0..<45 { _ = try await harness.writer.append(draft()) }
                let notes = try await harness.reader.checkpointNotes()
                let witnessed = try WitnessFile(path: harness.settings.witnessFile).notes()
                #expect(notes.count >= 4)
                #expect(witnessed.map(\.note) == notes.map(\.note))
                let verifier = try Checkpoint.verifierKey(origin: harness.settings.origin, publicKey: harness.signingKey.publicKey)
                let leaves = try await harness.reader.leafHashes(upTo: 46)
                var previous: Checkpoint?
                for (_, note) in notes {
                    let checkpoint = try Checkpoint.open(note, keys: [verifier])
                    if let previous {
                        let proof = try MerkleTree.consistencyProof(oldSize: Int(previous.treeSize), leaves: Array(leaves.prefix(Int(checkpoint.treeSize))))
                        try MerkleVerification.verifyConsistency(
                            oldSize: Int(previous.treeSize), newSize: Int(checkpoint.treeSize), oldRoot: previous.rootHash,
                            newRoot: checkpoint.rootHash, proof: proof)
                    }
                    previous = checkpoint
                }
            }
        }
    }

    private func storedKey(_ client: PostgresClient, subject: String) async throws -> KeyWrapping.WrappedKey {
        let rows = try await client.query(
            "SELECT key_id, nonce, wrapped FROM subject_keys WHERE subject_id = \(subject)", logger: logger)
        for try await (keyID, nonce, wrapped) in rows.decode((String, ByteBuffer?, ByteBuffer?).self) {
            guard let nonce, let wrapped else { throw TestSetupError("key shredded") }
            return KeyWrapping.WrappedKey(keyID: keyID, nonce: Array(buffer: nonce), ciphertext: Array(buffer: wrapped))
        }
        throw TestSetupError("no key")
    }
}

/// Collects receipts from concurrent tasks.
actor Collector {
    var receipts: [AppendReceipt] = []
    func add(_ receipt: AppendReceipt) { receipts.append(receipt) }

    /// Returns once `count` receipts have been collected, or after `limit` (the test's checks then say what is
    /// missing rather than the test hanging).
    nonisolated func waitForCount(atLeast count: Int, limit: Duration = .seconds(60)) async {
        let deadline = ContinuousClock.now + limit
        while await receipts.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
