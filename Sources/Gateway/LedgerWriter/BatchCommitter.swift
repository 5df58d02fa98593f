import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Commits one batch of appends in one transaction.
///
/// The usual way (`BatchCommitter+OneStatement.swift`) chains and signs the batch on the head it expects and
/// commits it with one statement, in three round trips. When that cannot be used (a projection runs its own statements, the head is
/// not known or has moved, a projection failed, a subject was shredded) the batch goes the careful way, here:
/// lock the head and read it, insert the entries, run each projection in order, advance the head, checkpoint when
/// due, commit. There, a projection that fails is taken out and the batch retried without it, so one caller's
/// failure never fails a neighbour.
final class BatchCommitter: Sendable {
    let settings: LedgerWriterSettings
    /// For what runs before the writer's loop starts (the chain's creation, the last checkpoint's size).
    let client: PostgresClient
    /// For the batches, on the writer's own thread (`WriterThread`); running only while the writer runs.
    let commitClient: PostgresClient
    let signingKey: Ed25519SigningKey
    let policyVersion: @Sendable () -> String?
    let witness: WitnessFile
    let logger: Logger
    /// The size and time of the last checkpoint this process knows of.
    let lastCheckpoint = Mutex<(size: Int64, at: ContinuousClock.Instant)>((0, .now))
    /// The size of a checkpoint a batch in flight carries (0 when none does), so the batch after it signs no other.
    let checkpointPlanned = Mutex<Int64>(0)
    /// How many batches were committed chained on the head of a batch still in flight.
    let committedBehindAnother = Atomic<Int>(0)
    /// The head as this process last committed it, which the next batch is chained on without first reading the
    /// head row; nil when not known (at start, and after any failure), until a batch under the lock reads it.
    let expectedHead = Mutex<ChainHead?>(nil)
    /// Set when another writer moved the head under us: while writers alternate, chaining on a guess would be
    /// wasted work, so batches take the lock first for a while.
    let guessingPausedUntil = Mutex<ContinuousClock.Instant>(.now)
    static let contentionPause = Duration.seconds(1)
    /// For each row a batched change of this process changed (its conflict key), the seq of the newest such change;
    /// emptied when it grows past `rememberedChangesLimit`, after which the database alone catches outdated changes.
    let lastChanges = Mutex<[String: Int64]>([:])
    static let rememberedChangesLimit = 100_000

    init(settings: LedgerWriterSettings, client: PostgresClient, commitClient: PostgresClient, signingKey: Ed25519SigningKey,
         policyVersion: @escaping @Sendable () -> String?, witness: WitnessFile, logger: Logger) {
        self.settings = settings
        self.client = client
        self.commitClient = commitClient
        self.signingKey = signingKey
        self.policyVersion = policyVersion
        self.witness = witness
        self.logger = logger
    }

    /// Thrown inside the transaction to say which append's projection failed.
    fileprivate struct ProjectionFailure: Error {
        let index: Int
        let cause: any Error
    }

    /// Thrown when a shared statement failed: its rows are retried one by one to find the culprit.
    fileprivate struct SharedProjectionFailure: Error {
        let indices: [Int]
    }

    private struct Outcome {
        var receipts: [Int: AppendReceipt] = [:]
        var shredded: [Int] = []
        var note: (size: Int64, text: String)?
        /// The head after this transaction.
        var head: ChainHead?
    }

    func chainAndSign(
        _ batch: [LedgerWriter.Pending], indices: [Int], after base: ChainHead, policy: String?
    ) async -> (ChainHead, [(index: Int, signed: SignedEntry)]) {
        var head = base
        var chained: [(index: Int, entry: LedgerEntry, canonical: [UInt8], hash: [UInt8])] = []
        for index in indices {
            let entry = draftEntry(batch[index], seq: head.seq + 1, prev: head.hash, policy: policy)
            let canonical = entry.canonicalBytes()
            let hash = EntryHash.of(canonicalBytes: canonical)
            chained.append((index, entry, canonical, hash))
            head.seq = entry.seq
            head.hash = hash
            head.tree.append(leafHash: EntryHash.merkleLeaf(entryHash: hash))
        }
        let signatures = await ParallelSigner.sign(chained.map(\.hash), with: signingKey)
        let signed = zip(chained, signatures).map { item, signature in
            (index: item.index, signed: SignedEntry(
                entry: item.entry, canonicalBytes: item.canonical, entryHash: item.hash, keyID: signingKey.keyID, signature: signature))
        }
        return (head, signed)
    }

    /// Stops chaining on the head this process last committed: the next batch reads it under the lock.
    func forgetHead() {
        expectedHead.withLock { $0 = nil }
    }

    /// Commits `batch` and returns each append's result, in order. Behind a `predecessor` still in flight, the batch
    /// is chained on the head that one plans; `handoff` is told what this batch plans, for the batch after it.
    func commit(
        _ batch: [LedgerWriter.Pending], behind predecessor: HeadHandoff? = nil, announcing handoff: HeadHandoff? = nil
    ) async -> [Result<AppendReceipt, any Error>] {
        defer { handoff?.finish() }
        var results = [Result<AppendReceipt, any Error>?](repeating: nil, count: batch.count)
        var waiting = predecessor
        func waitForPredecessor() async {
            await waiting?.finished()
            waiting = nil
        }
        if batch.allSatisfy(\.isBatchable) {
            let segments = Self.segments(touching: batch.map { $0.projection?.conflictKeys ?? [] })
            if segments.count > 1 { await waitForPredecessor() }
            inOneStatement: for (number, segment) in segments.enumerated() {
                var indices = refusingOutdated(batch, indices: Array(segment), into: &results)
                while !indices.isEmpty {
                    var base = await waiting?.plannedHead()
                    let behind = base == nil ? nil : waiting
                    if base == nil {
                        await waitForPredecessor()
                        base = guessableHead
                    }
                    guard let base else { break inOneStatement }
                    let last = number == segments.count - 1
                    switch await commitInOneStatement(
                        batch, indices: indices, after: base, behind: behind, announcing: last ? handoff : nil)
                    {
                    case .committed(let outcome):
                        for (index, result) in outcome { results[index] = result }
                        remember(batch, indices: indices, results: results)
                        indices = []
                    case .refused(let index, let error):
                        // That append's change no longer applies: it fails alone, and its neighbours are tried again.
                        results[index] = .failure(error)
                        indices.removeAll { $0 == index }
                    case .predecessorFailed:
                        await waitForPredecessor()
                    case .underLock:
                        break inOneStatement
                    }
                }
            }
        }
        await waitForPredecessor()
        let underLock = refusingOutdated(batch, indices: batch.indices.filter { results[$0] == nil }, into: &results)
        await commitUnderLock(batch, indices: underLock, into: &results)
        remember(batch, indices: underLock, results: results)
        return results.map { $0 ?? .failure(LedgerWriteError.unavailable("not processed")) }
    }

    /// `indices` without the appends whose batched change was made as of a row this process has changed since:
    /// those fail at once, as the database would fail them.
    private func refusingOutdated(
        _ batch: [LedgerWriter.Pending], indices: [Int], into results: inout [Result<AppendReceipt, any Error>?]
    ) -> [Int] {
        let outdated = lastChanges.withLock { changes in
            Set(indices.filter { index in
                guard !changes.isEmpty, case .batched(let rows)? = batch[index].projection else { return false }
                return rows.contains { row in
                    guard let key = row.conflictKey, let basis = row.basis, let changed = changes[key] else { return false }
                    return changed > basis
                }
            })
        }
        for index in outdated { results[index] = .failure(LedgerWriteError.rowChangedMeanwhile) }
        return outdated.isEmpty ? indices : indices.filter { !outdated.contains($0) }
    }

    /// Notes the rows that the committed appends among `indices` changed.
    private func remember(_ batch: [LedgerWriter.Pending], indices: [Int], results: [Result<AppendReceipt, any Error>?]) {
        var changed: [(String, Int64)] = []
        for index in indices {
            guard case .success(let receipt)? = results[index] else { continue }
            for key in batch[index].projection?.conflictKeys ?? [] { changed.append((key, receipt.seq)) }
        }
        guard !changed.isEmpty else { return }
        lastChanges.withLock { changes in
            if changes.count + changed.count > Self.rememberedChangesLimit { changes.removeAll(keepingCapacity: true) }
            for (key, seq) in changed { changes[key] = max(changes[key] ?? 0, seq) }
        }
    }

    private func commitUnderLock(
        _ batch: [LedgerWriter.Pending], indices: [Int], into results: inout [Result<AppendReceipt, any Error>?]
    ) async {
        var remaining = indices
        var isolated: Set<Int> = []
        while !remaining.isEmpty {
            do {
                let outcome = try await transaction(batch, indices: remaining, isolated: isolated)
                for (index, receipt) in outcome.receipts { results[index] = .success(receipt) }
                for index in outcome.shredded { results[index] = .failure(LedgerWriteError.subjectShredded) }
                if let note = outcome.note { recordWitness(note) }
                expectedHead.withLock { $0 = outcome.head }
                remaining = []
            } catch let failure as ProjectionFailure {
                // The caller gets its own projection's error; the others are retried without it.
                results[failure.index] = .failure(failure.cause)
                remaining.removeAll { $0 == failure.index }
            } catch let failure as SharedProjectionFailure {
                isolated.formUnion(failure.indices)
            } catch {
                expectedHead.withLock { $0 = nil }
                logger.error("ledger batch failed", metadata: ["reason": "\(PostgresErrorText.describe(error))", "appends": "\(remaining.count)"])
                for index in remaining {
                    results[index] = .failure(LedgerWriteError.unavailable(PostgresErrorText.describe(error)))
                }
                remaining = []
            }
        }
    }

    /// Runs one attempt; throws `ProjectionFailure` to have the caller retry without that append.
    private func transaction(
        _ batch: [LedgerWriter.Pending], indices: [Int], isolated: Set<Int>
    ) async throws -> Outcome {
        let policy = policyVersion()
        do {
            return try await commitClient.withTransaction(logger: logger) { [self] connection in
                let sealedSubjects = indices.compactMap { batch[$0].sealsPHI ? batch[$0].draft.subject : nil }
                let (locked, shredded) = try await ChainHead.lock(
                    chain: settings.chain, shreddedAmong: sealedSubjects, on: connection, logger: logger)
                var outcome = Outcome(head: locked)
                let live = indices.filter { index in
                    guard batch[index].sealsPHI, let subject = batch[index].draft.subject else { return true }
                    return !shredded.contains(subject)
                }
                outcome.shredded = indices.filter { !live.contains($0) }
                // Chain the whole batch (canonical bytes and hashes, in order) and sign it; insert every entry and
                // advance the head in one statement; then run the projections in order: each entry is in the table
                // before its projection runs.
                let (head, signedBatch) = await chainAndSign(batch, indices: live, after: locked, policy: policy)
                if !signedBatch.isEmpty {
                    let statement = try BatchStatement.make(
                        chain: settings.chain, from: locked, to: head, entries: signedBatch.map(\.signed), sealedSubjects: [],
                        checkpoint: nil)
                    try await connection.run(statement, logger: logger)
                }
                outcome.head = head
                var shared = ProjectorRuns()
                for (index, signed) in signedBatch {
                    let context = AppendContext(signed)
                    switch batch[index].projection {
                    case .custom(let update)?:
                        try await shared.flush(on: connection, logger: logger)
                        do { try await update(connection, context, logger) } catch {
                            throw ProjectionFailure(index: index, cause: error)
                        }
                    case .batched(let rows)?:
                        if isolated.contains(index) {
                            try await shared.flush(on: connection, logger: logger)
                            for row in rows {
                                do { try await BatchedRow.run([row], contexts: [context], on: connection, logger: logger) } catch {
                                    throw ProjectionFailure(index: index, cause: error)
                                }
                            }
                        } else {
                            if !shared.accepts(rows) { try await shared.flush(on: connection, logger: logger) }
                            shared.add(rows, context: context, index: index)
                        }
                    case nil:
                        break
                    }
                    outcome.receipts[index] = AppendReceipt(context)
                }
                try await shared.flush(on: connection, logger: logger)
                guard !outcome.receipts.isEmpty else { return outcome }
                if head.seq - lastCheckpoint.withLock({ $0.size }) >= Int64(settings.checkpointEvery) {
                    outcome.note = (head.seq, try await insertCheckpoint(head, on: connection))
                }
                return outcome
            }
        } catch let error as PostgresTransactionError {
            if let failure = error.closureError as? ProjectionFailure { throw failure }
            if let failure = error.closureError as? SharedProjectionFailure { throw failure }
            throw error
        }
    }

    private func draftEntry(_ pending: LedgerWriter.Pending, seq: Int64, prev: [UInt8], policy: String?) -> LedgerEntry {
        let draft = pending.draft
        return LedgerEntry(
            chain: settings.chain, seq: seq, prev: prev, id: draft.id, recordedAt: .now(), actor: draft.actor,
            action: draft.action, resource: draft.resource, subject: draft.subject, purposeOfUse: draft.purposeOfUse,
            policyVersion: policy, requestID: draft.requestID, outcome: draft.outcome, payload: pending.payload)
    }

    // MARK: Checkpoints

    private func insertCheckpoint(_ head: ChainHead, on connection: PostgresConnection) async throws -> String {
        let checkpoint = Checkpoint(
            origin: settings.origin, treeSize: head.seq, rootHash: head.tree.root, headHash: head.hash, time: .now())
        let note = checkpoint.signedNote(with: signingKey)
        try await connection.query(
            """
            INSERT INTO ledger_checkpoints (chain_id, tree_size, root_hash, head_hash, note)
            VALUES (\(settings.chain), \(head.seq), \(ByteBuffer(bytes: checkpoint.rootHash)), \(ByteBuffer(bytes: head.hash)), \(note))
            ON CONFLICT (chain_id, tree_size) DO NOTHING
            """, logger: logger)
        return note
    }

    func recordWitness(_ note: (size: Int64, text: String)) {
        lastCheckpoint.withLock { $0 = (max($0.size, note.size), .now) }
        do {
            try witness.append(chain: settings.chain, treeSize: note.size, note: note.text)
        } catch {
            // The checkpoint is committed in the database; a later one will reach the witness file.
            logger.error("could not append to the witness file", metadata: ["path": "\(witness.path)"])
        }
    }

    /// Signs a checkpoint when entries arrived since the last one and the interval has passed.
    func checkpointIfStale() async {
        let (size, at) = lastCheckpoint.withLock { $0 }
        guard ContinuousClock.now - at >= settings.checkpointInterval else { return }
        do {
            let note: (Int64, String)? = try await commitClient.withTransaction(logger: logger) { [self] connection in
                let head = try await ChainHead.lock(chain: settings.chain, on: connection, logger: logger)
                guard head.seq > size else { return nil }
                return (head.seq, try await insertCheckpoint(head, on: connection))
            }
            if let note { recordWitness(note) } else { lastCheckpoint.withLock { $0.at = .now } }
        } catch {
            logger.warning("periodic checkpoint failed", metadata: ["reason": "\(PostgresErrorText.describe(error))"])
        }
    }

    /// Reads the newest checkpoint so the count towards the next one continues across restarts.
    func loadCheckpointState() async throws {
        let rows = try await client.query(
            "SELECT COALESCE(max(tree_size), 0) FROM ledger_checkpoints WHERE chain_id = \(settings.chain)", logger: logger)
        for try await size in rows.decode(Int64.self) {
            lastCheckpoint.withLock { $0 = (size, .now) }
        }
    }

    /// Appends the chain's first entry when the chain is empty; true when it did.
    func createChainIfEmpty(_ draft: EntryDraft) async throws -> Bool {
        guard case .clear(let payload) = draft.payload else { return false }
        let note: (Int64, String)? = try await client.withTransaction(logger: logger) { [self] connection in
            let empty = try await ChainHead.lock(chain: settings.chain, on: connection, logger: logger)
            guard empty.seq == 0 else { return nil }
            var head = empty
            let entry = LedgerEntry(
                chain: settings.chain, seq: 1, prev: genesisPrevHash, id: draft.id, recordedAt: .now(), actor: nil,
                action: draft.action, resource: draft.resource, payload: .clear(payload))
            let signed = SignedEntry(signing: entry, with: signingKey)
            head.seq = 1
            head.hash = signed.entryHash
            head.tree.append(leafHash: EntryHash.merkleLeaf(entryHash: signed.entryHash))
            try await connection.run(
                try BatchStatement.make(
                    chain: settings.chain, from: empty, to: head, entries: [signed], sealedSubjects: [], checkpoint: nil),
                logger: logger)
            return (1, try await insertCheckpoint(head, on: connection))
        }
        if let note { recordWitness(note) }
        return note != nil
    }
}

extension ProjectorRuns {
    /// Runs each projector's statement, then starts afresh. A failure names the append at fault when it can
    /// (`ProjectionFailure`), or else the appends whose rows must be run alone to find it.
    fileprivate mutating func flush(on connection: PostgresConnection, logger: Logger) async throws {
        defer { self = ProjectorRuns() }
        for run in runs {
            do {
                try await BatchedRow.run(run.rows, contexts: run.contexts, on: connection, logger: logger)
            } catch {
                if run.indices.count == 1 { throw BatchCommitter.ProjectionFailure(index: run.indices[0], cause: error) }
                // A change that no longer applies names its row, which is exactly one append's here.
                if PostgresErrorText.sqlState(of: error) == BatchStatement.preconditionFailed,
                   let key = PostgresErrorText.detail(of: error), let slot = run.rows.firstIndex(where: { $0.conflictKey == key }) {
                    throw BatchCommitter.ProjectionFailure(index: run.indices[slot], cause: error)
                }
                throw BatchCommitter.SharedProjectionFailure(indices: run.indices)
            }
        }
    }
}
