import Ledger
import Logging
import PostgresNIO
import Synchronization

/// The usual way to commit a batch: chain and sign it on the head this process last committed, then `BEGIN`,
/// one statement (`BatchStatement`), `COMMIT`, instead of first locking and reading the head row.
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
        /// Nothing was written, and the appends must go under the lock.
        case underLock
    }

    /// Commits `indices` of `batch` (every projection batched, no row changed twice) with one statement chained on
    /// `base`.
    func commitInOneStatement(_ batch: [LedgerWriter.Pending], indices: [Int], after base: ChainHead) async -> OneStatementOutcome {
        let (head, signedBatch) = await chainAndSign(batch, indices: indices, after: base, policy: policyVersion())
        var projections = ProjectorRuns()
        var receipts: [Int: Result<AppendReceipt, any Error>] = [:]
        for (index, signed) in signedBatch {
            let context = AppendContext(signed)
            receipts[index] = .success(AppendReceipt(context))
            if case .batched(let rows)? = batch[index].projection { projections.add(rows, context: context, index: index) }
        }
        var checkpoint: (rootHash: [UInt8], note: String)?
        if head.seq - lastCheckpoint.withLock({ $0.size }) >= Int64(settings.checkpointEvery) {
            let due = Checkpoint(origin: settings.origin, treeSize: head.seq, rootHash: head.tree.root, headHash: head.hash, time: .now())
            checkpoint = (due.rootHash, due.signedNote(with: signingKey))
        }
        expectedHead.withLock { $0 = nil }
        do {
            let statement = try BatchStatement.make(
                chain: settings.chain, from: base, to: head, entries: signedBatch.map(\.signed),
                sealedSubjects: indices.compactMap { batch[$0].sealsPHI ? batch[$0].draft.subject : nil },
                projections: projections, checkpoint: checkpoint)
            // An explicit transaction, not one implicit-transaction statement: the server sends a statement's
            // CommandComplete before committing its implicit transaction, and the client takes that as success,
            // whereas COMMIT answers only once the commit is durable (or reports why it failed).
            try await commitClient.withTransaction(logger: logger) { [logger] connection in
                try await connection.run(statement, logger: logger)
            }
        } catch {
            guard let state = PostgresErrorText.sqlState(of: error) else {
                // The connection failed: whether the transaction committed is unknown, so it is not retried.
                logger.error("ledger batch failed", metadata: ["reason": "\(PostgresErrorText.describe(error))", "appends": "\(indices.count)"])
                let failure = LedgerWriteError.unavailable(PostgresErrorText.describe(error))
                return .committed(Dictionary(uniqueKeysWithValues: indices.map { ($0, .failure(failure)) }))
            }
            if state == BatchStatement.headMoved {
                // Another writer appended: while writers alternate, guessing would mostly be wasted work.
                guessingPausedUntil.withLock { $0 = .now + Self.contentionPause }
            }
            // Conflict keys are distinct within a statement, so the one named is exactly one append's.
            if state == BatchStatement.preconditionFailed, let key = PostgresErrorText.detail(of: error),
               let index = indices.first(where: { batch[$0].projection?.conflictKeys.contains(key) ?? false }) {
                expectedHead.withLock { $0 = base }
                return .refused(index, error)
            }
            return .underLock
        }
        expectedHead.withLock { $0 = head }
        if let checkpoint { recordWitness((head.seq, checkpoint.note)) }
        return .committed(receipts)
    }
}
