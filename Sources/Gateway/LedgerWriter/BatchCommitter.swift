import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Commits one batch of appends in one transaction: lock the head, insert each entry then its projection,
/// advance the head, checkpoint when due, commit. A projection that fails is taken out and the batch retried
/// without it, so one caller's failure never fails a neighbour.
final class BatchCommitter: Sendable {
    let settings: LedgerWriterSettings
    let client: PostgresClient
    let signingKey: Ed25519SigningKey
    let policyVersion: @Sendable () -> String?
    let witness: WitnessFile
    let logger: Logger
    /// The size and time of the last checkpoint this process knows of.
    private let lastCheckpoint = Mutex<(size: Int64, at: ContinuousClock.Instant)>((0, .now))

    init(settings: LedgerWriterSettings, client: PostgresClient, signingKey: Ed25519SigningKey,
         policyVersion: @escaping @Sendable () -> String?, witness: WitnessFile, logger: Logger) {
        self.settings = settings
        self.client = client
        self.signingKey = signingKey
        self.policyVersion = policyVersion
        self.witness = witness
        self.logger = logger
    }

    /// Thrown inside the transaction to say which append's projection failed.
    private struct ProjectionFailure: Error {
        let index: Int
        let cause: any Error
    }

    private struct Outcome {
        var receipts: [Int: AppendReceipt] = [:]
        var shredded: [Int] = []
        var note: (size: Int64, text: String)?
    }

    func commit(_ batch: [LedgerWriter.Pending]) async -> [Result<AppendReceipt, any Error>] {
        var results = [Result<AppendReceipt, any Error>?](repeating: nil, count: batch.count)
        var remaining = Array(batch.indices)
        while !remaining.isEmpty {
            do {
                let outcome = try await transaction(batch, indices: remaining)
                for (index, receipt) in outcome.receipts { results[index] = .success(receipt) }
                for index in outcome.shredded { results[index] = .failure(LedgerWriteError.subjectShredded) }
                if let note = outcome.note { recordWitness(note) }
                remaining = []
            } catch let failure as ProjectionFailure {
                // The caller gets its own projection's error; the others are retried without it.
                results[failure.index] = .failure(failure.cause)
                remaining.removeAll { $0 == failure.index }
            } catch {
                logger.error("ledger batch failed", metadata: ["reason": "\(PostgresErrorText.describe(error))", "appends": "\(remaining.count)"])
                for index in remaining {
                    results[index] = .failure(LedgerWriteError.unavailable(PostgresErrorText.describe(error)))
                }
                remaining = []
            }
        }
        return results.map { $0 ?? .failure(LedgerWriteError.unavailable("not processed")) }
    }

    /// Runs one attempt; throws `ProjectionFailure` to have the caller retry without that append.
    private func transaction(_ batch: [LedgerWriter.Pending], indices: [Int]) async throws -> Outcome {
        let policy = policyVersion()
        do {
            return try await client.withTransaction(logger: logger) { [self] connection in
                var head = try await ChainHead.lock(chain: settings.chain, on: connection, logger: logger)
                var outcome = Outcome()
                // Checked under the head lock, so a shred committed by any process is seen before sealing more PHI.
                let shredded = try await shreddedSubjects(
                    in: indices.compactMap { batch[$0].sealsPHI ? batch[$0].draft.subject : nil }, on: connection)
                for index in indices {
                    let pending = batch[index]
                    if pending.sealsPHI, let subject = pending.draft.subject, shredded.contains(subject) {
                        outcome.shredded.append(index)
                        continue
                    }
                    let signed = sign(pending, seq: head.seq + 1, prev: head.hash, policy: policy)
                    try await insert(signed, on: connection)
                    let context = AppendContext(
                        seq: signed.entry.seq, entryID: signed.entry.id, entryHash: signed.entryHash, recordedAt: signed.entry.recordedAt)
                    if let projection = pending.projection {
                        do { try await projection(connection, context, logger) } catch {
                            throw ProjectionFailure(index: index, cause: error)
                        }
                    }
                    head.seq = signed.entry.seq
                    head.hash = signed.entryHash
                    head.tree.append(leafHash: EntryHash.merkleLeaf(entryHash: signed.entryHash))
                    outcome.receipts[index] = AppendReceipt(
                        seq: context.seq, entryID: context.entryID, entryHash: context.entryHash, recordedAt: context.recordedAt)
                }
                guard !outcome.receipts.isEmpty else { return outcome }
                try await head.store(chain: settings.chain, on: connection, logger: logger)
                if head.seq - lastCheckpoint.withLock({ $0.size }) >= Int64(settings.checkpointEvery) {
                    outcome.note = (head.seq, try await insertCheckpoint(head, on: connection))
                }
                return outcome
            }
        } catch let error as PostgresTransactionError {
            if let failure = error.closureError as? ProjectionFailure { throw failure }
            throw error
        }
    }

    private func sign(_ pending: LedgerWriter.Pending, seq: Int64, prev: [UInt8], policy: String?) -> SignedEntry {
        let draft = pending.draft
        let entry = LedgerEntry(
            chain: settings.chain, seq: seq, prev: prev, id: draft.id, recordedAt: .now(), actor: draft.actor,
            action: draft.action, resource: draft.resource, subject: draft.subject, purposeOfUse: draft.purposeOfUse,
            policyVersion: policy, requestID: draft.requestID, outcome: draft.outcome, payload: pending.payload)
        return SignedEntry(signing: entry, with: signingKey)
    }

    private func insert(_ signed: SignedEntry, on connection: PostgresConnection) async throws {
        let entry = signed.entry
        try await connection.query(
            """
            INSERT INTO ledger_entries
                (chain_id, seq, entry_hash, prev_hash, canonical, key_id, signature, recorded_at, action, actor_id, subject_id)
            VALUES (\(entry.chain), \(entry.seq), \(ByteBuffer(bytes: signed.entryHash)), \(ByteBuffer(bytes: entry.prev)),
                    \(ByteBuffer(bytes: signed.canonicalBytes)), \(signed.keyID), \(ByteBuffer(bytes: signed.signature)),
                    \(entry.recordedAt.date), \(entry.action), \(entry.actor?.userID), \(entry.subject))
            """, logger: logger)
    }

    private func shreddedSubjects(in subjects: [String], on connection: PostgresConnection) async throws -> Set<String> {
        guard !subjects.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT subject_id FROM subject_keys
            WHERE chain_id = \(settings.chain) AND subject_id = ANY(\(Array(Set(subjects)))) AND wrapped IS NULL
            """, logger: logger)
        var shredded: Set<String> = []
        for try await subject in rows.decode(String.self) { shredded.insert(subject) }
        return shredded
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

    private func recordWitness(_ note: (size: Int64, text: String)) {
        lastCheckpoint.withLock { $0 = (note.size, .now) }
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
            let note: (Int64, String)? = try await client.withTransaction(logger: logger) { [self] connection in
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
            var head = try await ChainHead.lock(chain: settings.chain, on: connection, logger: logger)
            guard head.seq == 0 else { return nil }
            let entry = LedgerEntry(
                chain: settings.chain, seq: 1, prev: genesisPrevHash, id: draft.id, recordedAt: .now(), actor: nil,
                action: draft.action, resource: draft.resource, payload: .clear(payload))
            let signed = SignedEntry(signing: entry, with: signingKey)
            try await insert(signed, on: connection)
            head.seq = 1
            head.hash = signed.entryHash
            head.tree.append(leafHash: EntryHash.merkleLeaf(entryHash: signed.entryHash))
            try await head.store(chain: settings.chain, on: connection, logger: logger)
            return (1, try await insertCheckpoint(head, on: connection))
        }
        if let note { recordWitness(note) }
        return note != nil
    }
}
