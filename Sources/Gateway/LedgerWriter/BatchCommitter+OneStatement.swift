import Ledger
import Logging
import PostgresNIO
import Synchronization

/// The usual way to commit a batch: chain and sign it on the head this process last committed, then `BEGIN`,
/// one statement (`BatchStatement`), `COMMIT`, instead of first locking and reading the head row.
///
/// The batch after it may be chained on the head this one plans (`HeadHandoff`) while this one is still in the
/// database, and send its statement as soon as this one's holds the head: it waits on the lock and finds this batch's
/// head once this batch commits. Its chaining and signing overlap this one's statement and commit.
extension BatchCommitter {
    /// The head a batch may be chained on without reading the head row: the head this process last committed,
    /// unless it is unknown or another writer has recently moved it.
    var guessableHead: ChainHead? {
        guard ContinuousClock.now >= guessingPausedUntil.withLock({ $0 }) else { return nil }
        return expectedHead.withLock { $0 }
    }

    /// Splits a batch, given the rows each append's projection changes (its conflict keys), where a row would be
    /// changed a second time: one statement cannot see its own changes, so two changes to one row must go in two
    /// statements, one after the other.
    static func segments(touching rows: [[String]]) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var start = 0
        var touched: Set<String> = []
        for (index, keys) in rows.enumerated() {
            if !touched.isDisjoint(with: keys) {
                segments.append(start..<index)
                start = index
                touched = []
            }
            touched.formUnion(keys)
        }
        segments.append(start..<rows.count)
        return segments
    }

    /// What became of a batch sent as one statement.
    enum OneStatementOutcome {
        /// Each append's result (all of them failed when the connection did).
        case committed([Int: Result<AppendReceipt, any Error>])
        /// Nothing was written: the projection of the append at this index no longer applies (it raised
        /// `BatchStatement.preconditionFailed`), and the others may be tried again without it.
        case refused(Int, any Error)
        /// Nothing was written: the batch before did not commit the head this one was chained on. Try again once
        /// it is over.
        case predecessorFailed
        /// Nothing was written, and the appends must go under the lock.
        case underLock
    }

    /// A batch chained, signed and written out as its statement, not yet sent.
    private struct PreparedBatch {
        let base: ChainHead
        let head: ChainHead
        let statement: PostgresQuery
        let receipts: [Int: Result<AppendReceipt, any Error>]
        let checkpointNote: String?
    }

    /// Commits `indices` of `batch` (every projection batched, no row changed twice) with one statement chained on
    /// `base`, or, behind a `predecessor` still in flight, on the head it holds. Tells `handoff` what it plans and
    /// when its statement holds the head.
    func commitInOneStatement(
        _ batch: [LedgerWriter.Pending], indices: [Int], after base: ChainHead, behind predecessor: HeadHandoff? = nil,
        announcing handoff: HeadHandoff? = nil
    ) async -> OneStatementOutcome {
        // Whatever way this attempt ends without its statement holding the head, the plan it announced is void.
        defer { handoff?.withdraw() }
        var prepared: PreparedBatch
        do {
            prepared = try await prepare(batch, indices: indices, after: base)
            handoff?.plan(prepared.head)
            if let predecessor {
                // Sent only once the batch before holds the head it was chained on, so that this statement waits on
                // that lock instead of taking it first and finding the head where it was.
                while true {
                    guard let locked = await predecessor.lockedHead() else { return .predecessorFailed }
                    if locked.isAt(prepared.base) { break }
                    // It committed a different head (it left an append out): chain on that one.
                    handoff?.withdraw()
                    prepared = try await prepare(batch, indices: indices, after: locked)
                    handoff?.plan(prepared.head)
                }
            }
        } catch {
            let failure = LedgerWriteError.unavailable("could not write the batch's statement: \(error)")
            return .committed(Dictionary(uniqueKeysWithValues: indices.map { ($0, .failure(failure)) }))
        }
        expectedHead.withLock { $0 = nil }
        do {
            // An explicit transaction, not one implicit-transaction statement: the server sends a statement's
            // CommandComplete before committing its implicit transaction, and the client takes that as success,
            // whereas COMMIT answers only once the commit is durable (or reports why it failed).
            try await commitClient.withTransaction(logger: logger) { [logger, prepared] connection in
                try await connection.run(prepared.statement, logger: logger)
                handoff?.lock(prepared.head)
            }
        } catch {
            checkpointPlanned.withLock { $0 = 0 }
            guard let state = PostgresErrorText.sqlState(of: error) else {
                // The connection failed: whether the transaction committed is unknown, so it is not retried.
                logger.error("ledger batch failed", metadata: ["reason": "\(PostgresErrorText.describe(error))", "appends": "\(indices.count)"])
                let failure = LedgerWriteError.unavailable(PostgresErrorText.describe(error))
                return .committed(Dictionary(uniqueKeysWithValues: indices.map { ($0, .failure(failure)) }))
            }
            if state == BatchStatement.headMoved {
                // Behind a batch of ours, that batch did not commit; otherwise another writer appended, and while
                // writers alternate, guessing would mostly be wasted work.
                if predecessor != nil { return .predecessorFailed }
                guessingPausedUntil.withLock { $0 = .now + Self.contentionPause }
            }
            // Conflict keys are distinct within a statement, so the one named is exactly one append's.
            if state == BatchStatement.preconditionFailed, let key = PostgresErrorText.detail(of: error),
               let index = indices.first(where: { batch[$0].projection?.conflictKeys.contains(key) ?? false }) {
                expectedHead.withLock { $0 = prepared.base }
                return .refused(index, error)
            }
            return .underLock
        }
        expectedHead.withLock { $0 = prepared.head }
        if predecessor != nil { committedBehindAnother.add(1, ordering: .relaxed) }
        if let note = prepared.checkpointNote { recordWitness((prepared.head.seq, note)) }
        return .committed(prepared.receipts)
    }

    /// Chains and signs `indices` of `batch` on `base` and writes the statement that commits them.
    private func prepare(_ batch: [LedgerWriter.Pending], indices: [Int], after base: ChainHead) async throws -> PreparedBatch {
        let (head, signedBatch) = await chainAndSign(batch, indices: indices, after: base, policy: policyVersion())
        var projections = ProjectorRuns()
        var receipts: [Int: Result<AppendReceipt, any Error>] = [:]
        for (index, signed) in signedBatch {
            let context = AppendContext(signed)
            receipts[index] = .success(AppendReceipt(context))
            if case .batched(let rows)? = batch[index].projection { projections.add(rows, context: context, index: index) }
        }
        var checkpoint: (rootHash: [UInt8], note: String)?
        let checkpointed = max(lastCheckpoint.withLock { $0.size }, checkpointPlanned.withLock { $0 })
        if head.seq - checkpointed >= Int64(settings.checkpointEvery) {
            let due = Checkpoint(origin: settings.origin, treeSize: head.seq, rootHash: head.tree.root, headHash: head.hash, time: .now())
            checkpoint = (due.rootHash, due.signedNote(with: signingKey))
            // The batch after, chained before this one commits, need not sign another.
            checkpointPlanned.withLock { $0 = head.seq }
        }
        let statement = try BatchStatement.make(
            chain: settings.chain, from: base, to: head, entries: signedBatch.map(\.signed),
            sealedSubjects: indices.compactMap { batch[$0].sealsPHI ? batch[$0].draft.subject : nil },
            projections: projections, checkpoint: checkpoint)
        return PreparedBatch(base: base, head: head, statement: statement, receipts: receipts, checkpointNote: checkpoint?.note)
    }
}
