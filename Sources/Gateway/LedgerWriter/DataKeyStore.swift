import Ledger
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Finds or creates each subject's data key, unwrapping it with the KEK. Unwrapped keys are cached in
/// guarded memory (bounded); the writer re-checks in every batch that a cached key was not shredded meanwhile,
/// so a shred by another gateway process takes effect at once.
final class DataKeyStore: Sendable {
    private let client: PostgresClient
    private let kek: KeyEncryptionKey
    private let chain: String
    private let logger: Logger
    private let cache = Mutex<[String: DataKey]>([:])
    private let cacheLimit = 10_000

    init(client: PostgresClient, kek: KeyEncryptionKey, chain: String, logger: Logger) {
        self.client = client
        self.kek = kek
        self.chain = chain
        self.logger = logger
    }

    /// The subject's data key, created on first use.
    func key(for subject: String) async throws -> DataKey {
        if let cached = cache.withLock({ $0[subject] }) { return cached }
        if let stored = try await load(subject) {
            remember(stored, for: subject)
            return stored
        }
        let fresh = DataKey.generate()
        let wrapped = KeyWrapping.wrap(fresh, with: kek, chain: chain, subject: subject)
        // Another process may create the subject's key at the same moment; the first insert wins and both use it.
        try await client.query(
            """
            INSERT INTO subject_keys (chain_id, subject_id, key_id, nonce, wrapped)
            VALUES (\(chain), \(subject), \(wrapped.keyID), \(ByteBuffer(bytes: wrapped.nonce)), \(ByteBuffer(bytes: wrapped.ciphertext)))
            ON CONFLICT (chain_id, subject_id) DO NOTHING
            """, logger: logger)
        guard let winner = try await load(subject) else { throw LedgerWriteError.unavailable("subject key vanished") }
        remember(winner, for: subject)
        return winner
    }

    /// Drops a cached key (after shredding it).
    func forget(_ subject: String) {
        _ = cache.withLock { $0.removeValue(forKey: subject) }
    }

    private func remember(_ key: DataKey, for subject: String) {
        cache.withLock { cache in
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[subject] = key
        }
    }

    private func load(_ subject: String) async throws -> DataKey? {
        let rows = try await client.query(
            "SELECT key_id, nonce, wrapped FROM subject_keys WHERE chain_id = \(chain) AND subject_id = \(subject)",
            logger: logger)
        for try await (keyID, nonce, wrapped) in rows.decode((String, ByteBuffer?, ByteBuffer?).self) {
            guard let nonce, let wrapped else { throw LedgerWriteError.subjectShredded }
            let stored = KeyWrapping.WrappedKey(keyID: keyID, nonce: Array(buffer: nonce), ciphertext: Array(buffer: wrapped))
            return try KeyWrapping.unwrap(stored, with: kek, chain: chain, subject: subject)
        }
        return nil
    }
}
