import Foundation
import Ledger
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Appends signed, chained entries with their projection updates, batching concurrent callers into one
/// transaction (group commit). Runs as a Service beside the database pool; several gateway processes may run
/// writers on one chain, since each batch locks the chain head row.
final class LedgerWriter: Service, Sendable {
    /// An append waiting for its batch. A class: the writer passes appends through several lists per batch, and
    /// copying a struct of a draft, a payload and a projection was a tenth of its thread's work.
    final class Pending: Sendable {
        let draft: EntryDraft
        let payload: LedgerEntry.Payload
        let projection: Projection?
        let continuation: CheckedContinuation<AppendReceipt, any Error>
        /// The event loop the caller ran on, where it goes on once answered.
        let home: (any EventLoop)?

        init(
            draft: EntryDraft, payload: LedgerEntry.Payload, projection: Projection?,
            continuation: CheckedContinuation<AppendReceipt, any Error>, home: (any EventLoop)?
        ) {
            self.draft = draft
            self.payload = payload
            self.projection = projection
            self.continuation = continuation
            self.home = home
        }

        var sealsPHI: Bool {
            if case .sealed = payload { return true }
            return false
        }

        /// True when the projection, if any, can be part of the batch's one statement.
        var isBatchable: Bool {
            if case .custom? = projection { return false }
            return true
        }
    }

    let settings: LedgerWriterSettings
    let client: PostgresClient
    let signingKey: Ed25519SigningKey
    let dataKeys: DataKeyStore
    let logger: Logger
    private let queue = WriterQueue<Pending>()
    private let committer: BatchCommitter
    private let commitClient: PostgresClient

    /// Batches are committed through a pool of their own, `commitConnections` connections made with `database` on the
    /// writer's own thread (`WriterThread`); `client` serves the rest (data keys, the chain's creation).
    init(settings: LedgerWriterSettings, client: PostgresClient, database: PostgresClient.Configuration, commitConnections: Int = 3,
         signingKey: Ed25519SigningKey, kek: KeyEncryptionKey, policyVersion: @escaping @Sendable () -> String?, logger: Logger) {
        self.settings = settings
        self.client = client
        self.signingKey = signingKey
        self.logger = logger
        self.dataKeys = DataKeyStore(client: client, kek: kek, chain: settings.chain, logger: logger)
        var commits = database
        commits.options.maximumConnections = commitConnections
        // A batch's transaction left idle while it holds the head row lock (its process stalled, or the network
        // between went silent) is ended by the server once the writer has given up on it: otherwise the lock would
        // hold back every later batch, of this writer and of any other, until the server noticed the connection gone.
        commits.options.additionalStartupParameters.append(
            ("idle_in_transaction_session_timeout", "\(max(1, settings.commitTimeout.components.seconds) * 1000)"))
        commitClient = PostgresClient(configuration: commits, eventLoopGroup: WriterThread.shared.group, backgroundLogger: logger)
        self.committer = BatchCommitter(
            settings: settings, client: client, commitClient: commitClient, signingKey: signingKey, policyVersion: policyVersion,
            witness: WitnessFile(path: settings.witnessFile), logger: logger)
    }

    /// How many batches were committed chained on the head of a batch still in flight (overlapping it).
    var batchesCommittedBehindAnother: Int { committer.committedBehindAnother.load(ordering: .relaxed) }

    /// Records `draft` and runs `projection` in the same transaction; returns once both are committed.
    func append(_ draft: EntryDraft, projection: ProjectionUpdate? = nil) async throws -> AppendReceipt {
        try await append(draft, projection: projection.map(Projection.custom))
    }

    /// Records `draft` with a projection that may be batched with its neighbours'.
    func append(_ draft: EntryDraft, projection: Projection?) async throws -> AppendReceipt {
        let payload = try await seal(draft)
        return try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(
                draft: draft, payload: payload, projection: projection, continuation: continuation,
                home: MultiThreadedEventLoopGroup.currentEventLoop)
            if !queue.enqueue(pending) {
                continuation.resume(throwing: LedgerWriteError.unavailable("the ledger writer is shutting down"))
            }
        }
    }

    /// Crypto-shreds a subject: records `draft` (action e.g. `patient.shred`) and destroys the subject's data key
    /// in the same transaction, then runs `projection` (which removes the subject's projections).
    func shred(subject: String, draft: EntryDraft, projection: ProjectionUpdate? = nil) async throws -> AppendReceipt {
        let chain = settings.chain
        let receipt = try await append(draft) { connection, context, logger in
            // A subject with no key yet gets a shredded one, so no key can ever be made for them afterwards.
            try await connection.query(
                """
                INSERT INTO subject_keys (chain_id, subject_id, key_id, nonce, wrapped, shredded_at)
                VALUES (\(chain), \(subject), \(DataKey.newKeyID()), NULL, NULL, now())
                ON CONFLICT (chain_id, subject_id) DO UPDATE
                    SET wrapped = NULL, nonce = NULL, shredded_at = COALESCE(subject_keys.shredded_at, now())
                """, logger: logger)
            try await projection?(connection, context, logger)
        }
        dataKeys.forget(subject)
        return receipt
    }

    private func seal(_ draft: EntryDraft) async throws -> LedgerEntry.Payload {
        switch draft.payload {
        case .none: return .none
        case .clear(let value): return .clear(value)
        case .phi(let value):
            guard let subject = draft.subject else { throw LedgerWriteError.phiWithoutSubject }
            let key = try await dataKeys.key(for: subject)
            let plaintext = try JCS.canonicalize(value)
            return .sealed(PayloadSealer.seal(plaintext, key: key, chain: settings.chain, subject: subject, entryID: draft.id))
        }
    }

    /// Commits batches until graceful shutdown or cancellation, then finishes what is queued before stopping.
    /// `prepareChain()` must have run first (the application does it before it starts serving).
    func run() async throws {
        // The batches' pool runs until the last batch is committed and stops only then. Detached, because a pool
        // stops on graceful shutdown too (PostgresClient.run watches for it), and a task started here would inherit
        // this service's: the pool would close while the queue's last batches, and a checkpoint, were still using it.
        // On the writer's thread, which runs jobs in order, the pool has started before the batch loop's first lease.
        let pool = Task.detached(executorPreference: WriterThread.shared) { [commitClient] in await commitClient.run() }
        defer { pool.cancel() }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(executorPreference: WriterThread.shared) { [self] in
                    await withTaskCancellationHandler {
                        for await _ in queue.wakeups {
                            await drain()
                        }
                    } onCancel: {
                        queue.close()
                    }
                    // Closed or cancelled: nothing new is accepted, and what was queued before is still committed (in
                    // a task of its own, which the cancellation does not reach).
                    await Task(executorPreference: WriterThread.shared) { await self.drain() }.value
                }
                group.addTask { [self] in
                    // Time-based checkpoints; cancelled when the queue closes.
                    while !Task.isCancelled {
                        try await Task.sleep(for: settings.checkpointInterval)
                        await committer.checkpointIfStale()
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: { [self] in
            // New appends are refused; those already queued are still committed before the loop ends.
            queue.close()
        }
    }

    /// Commits what is queued, in batches, until the queue is empty and every batch is answered.
    ///
    /// Batches overlap: while one is in the database, the next is chained on the head that one plans, signed, and
    /// sent to wait on the head's lock (`HeadHandoff`), so the database goes from one batch's commit to the next's
    /// statement without waiting for the writer. Up to `batchesInFlight` are in flight at once.
    private func drain() async {
        var answered = 0
        var inFlight: [(handoff: HeadHandoff, count: Int, done: Task<Void, Never>)] = []
        /// Waits for the oldest batch in flight to be answered; its callers may be coming back.
        func retireOldest() async {
            let oldest = inFlight.removeFirst()
            await oldest.done.value
            answered = oldest.count
        }
        while true {
            // With batches in flight, what is waiting goes at once: gathering for more would leave the database idle
            // once those are done.
            if inFlight.isEmpty { await gatherReturning(answered) }
            let waiting = queue.count
            let busy = waiting + inFlight.reduce(0) { $0 + $1.count }
            // Many appends are split between two batches of like size that take turns. A few go together, after the
            // batch in flight, since each batch costs a commit under the head's lock: sent behind it in pieces as
            // they come, they would cost more commits than the overlap saves.
            let light = busy < Self.pipelinedAppends
            let waitsForBatchInFlight = light && !inFlight.isEmpty
            let batch = waitsForBatchInFlight ? [] : queue.take(upTo: min(settings.maxBatch, max(1, light ? waiting : busy / 2)))
            if batch.isEmpty {
                guard !inFlight.isEmpty else { return }
                await retireOldest()
                continue
            }
            let handoff = HeadHandoff()
            let predecessor = inFlight.last?.handoff
            let done = Task(executorPreference: WriterThread.shared) { [self] in
                let started = ContinuousClock.now
                let results = await commitWithDeadline(batch, behind: predecessor, announcing: handoff)
                logger.debug("ledger batch committed", metadata: [
                    "appends": "\(batch.count)", "milliseconds": "\((ContinuousClock.now - started) / .milliseconds(1))",
                ])
                answer(batch, with: results)
            }
            inFlight.append((handoff, batch.count, done))
            // The next batch is taken once this one is chained (what arrives meanwhile goes with the next) or over
            // and, with the most in flight, once the oldest is answered.
            _ = await handoff.plannedHead()
            answered = 0
            if inFlight.count == Self.batchesInFlight { await retireOldest() }
        }
    }

    /// The most batches in flight at once: one committing, one waiting on the head's lock, one being chained.
    static let batchesInFlight = 3
    /// Fewer appends than this, waiting or in flight, go in one batch.
    static let pipelinedAppends = 128

    /// Resumes each caller on its own event loop, with one hop per loop: resumed from the writer's thread, a caller
    /// would go on on whichever loop NIO picks, and callers that came together would come back apart.
    private func answer(_ batch: [Pending], with results: [Result<AppendReceipt, any Error>]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, answers: [(Pending, Result<AppendReceipt, any Error>)])] = [:]
        for (pending, result) in zip(batch, results) {
            guard let home = pending.home else {
                pending.continuation.resume(with: result)
                continue
            }
            byLoop[ObjectIdentifier(home), default: (home, [])].answers.append((pending, result))
        }
        for (loop, answers) in byLoop.values {
            loop.execute {
                for (pending, result) in answers { pending.continuation.resume(with: result) }
            }
        }
    }

    /// Waits, while they keep arriving, for up to as many appends as the last batch answered. Its callers are resumed
    /// on other threads and many append again at once; taken at the first arrival, they would be split over two
    /// batches, two transactions, where one would do. Gives up once nothing has arrived for a moment (they are not
    /// coming back, as with HTTP requests that are done), and after a few milliseconds in any case.
    private func gatherReturning(_ expected: Int) async {
        guard expected > 1 else { return }
        var waiting = queue.count
        for _ in 0..<Self.gatherRounds where waiting < expected {
            await queue.gather(expected, within: Self.gatherQuiet, on: WriterThread.shared.loop)
            let now = queue.count
            if now == waiting { return }
            waiting = now
        }
    }

    /// How long the writer waits for another append before taking what it has...
    static let gatherQuiet = TimeAmount.microseconds(200)
    /// ...and how many such waits it makes at most.
    static let gatherRounds = 25

    /// Commits `batch`, or gives up on it after `settings.commitTimeout`: its callers then learn that the outcome
    /// is unknown, and the next batch reads the head under the lock rather than trusting what this process last
    /// committed. The commit runs in a task of its own so that one which never returns (a connection that died
    /// without its driver failing the query) is left behind instead of stopping every later append.
    private func commitWithDeadline(
        _ batch: [Pending], behind predecessor: HeadHandoff?, announcing handoff: HeadHandoff
    ) async -> [Result<AppendReceipt, any Error>] {
        let first = FirstAnswer<[Result<AppendReceipt, any Error>]?>()
        let committer = self.committer
        Task(executorPreference: WriterThread.shared) {
            first.offer(await committer.commit(batch, behind: predecessor, announcing: handoff))
        }
        // A timer on the writer's event loop: a sleeping task's timer goes through Dispatch, which wakes a thread of
        // its own for every batch.
        let timer = WriterThread.shared.loop.scheduleTask(in: TimeAmount(settings.commitTimeout)) { first.offer(nil) }
        let committed = await first.value
        timer.cancel()
        guard let committed else {
            committer.forgetHead()
            // The batch after this one stops waiting for it.
            handoff.finish()
            logger.error("ledger batch did not finish in time; its appends were answered as unknown", metadata: ["appends": "\(batch.count)"])
            return batch.map { _ in .failure(LedgerWriteError.outcomeUnknown) }
        }
        return committed
    }

    /// Creates the head row and registers the signing key; a new chain's first entry records its creation.
    func prepareChain() async throws {
        try await client.query(
            """
            INSERT INTO ledger_heads (chain_id, seq, head_hash) VALUES (\(settings.chain), 0, \(ByteBuffer(bytes: genesisPrevHash)))
            ON CONFLICT (chain_id) DO NOTHING
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO ledger_keys (key_id, algorithm, public_key)
            VALUES (\(signingKey.keyID), 'Ed25519', \(ByteBuffer(bytes: signingKey.publicKey.bytes)))
            ON CONFLICT (key_id) DO NOTHING
            """, logger: logger)
        try await committer.loadCheckpointState()
        let created = try await committer.createChainIfEmpty(EntryDraft(
            actor: nil, action: "ledger.chain.create", resource: .init(type: "chain", id: settings.chain),
            payload: .clear([
                "origin": .string(settings.origin), "keyId": .string(signingKey.keyID),
                "publicKey": .string(Hex.encode(signingKey.publicKey.bytes)),
            ])))
        if created {
            logger.info("created ledger chain", metadata: ["chain": "\(settings.chain)", "origin": "\(settings.origin)"])
        }
    }
}

