import Ledger

/// Opens entries' sealed payloads with their subjects' data keys, which it unwraps with the key-encryption key
/// (KEK). Without a KEK, or for a shredded subject, a sealed payload stays sealed. A few unwrapped keys are kept
/// at a time, in guarded memory; the rest are unwrapped again when needed.
final class PayloadOpener {
    private let chain: String
    private let kek: KeyEncryptionKey?
    /// Each subject's wrapped data key; nil once shredded.
    private let wrappedKeys: [String: KeyWrapping.WrappedKey?]
    private var unwrapped: [String: DataKey] = [:]
    private var failedSubjects: Set<String> = []
    private static let keysKept = 1024

    /// What went wrong opening a payload that should have opened.
    struct Problem: Equatable {
        let message: String
        /// The subject whose data key is at fault, when it is the key rather than the entry.
        let subject: String?
    }

    init(chain: String, kek: KeyEncryptionKey?, wrappedKeys: [String: KeyWrapping.WrappedKey?]) {
        self.chain = chain
        self.kek = kek
        self.wrappedKeys = wrappedKeys
    }

    /// Whether sealed payloads can be opened at all.
    var canOpen: Bool { kek != nil }

    /// Fails when the KEK unwraps none of the first live data keys it tries: the wrong KEK, most likely, which is
    /// a mistake in the command rather than tampering.
    func checkKEK() throws {
        guard let kek else { return }
        let live = wrappedKeys.compactMap { subject, wrapped in wrapped.map { (subject, $0) } }.prefix(3)
        guard !live.isEmpty else { return }
        if !live.contains(where: { (try? KeyWrapping.unwrap($0.1, with: kek, chain: chain, subject: $0.0)) != nil }) {
            throw KEKMismatch(description: "the key-encryption key given does not unwrap the chain's data keys (is it this gateway's KEK?)")
        }
    }

    struct KEKMismatch: Error, CustomStringConvertible {
        let description: String
    }

    /// The entry's payload as replay can read it, and the problem when a payload that should open does not.
    func payload(of entry: LedgerEntry) -> (ReplayPayload, Problem?) {
        switch entry.payload {
        case .none: return (.none, nil)
        case .clear(let value): return (.known(value), nil)
        case .sealed(let sealed):
            guard let kek, let subject = entry.subject else { return (.sealed, nil) }
            guard let stored = wrappedKeys[subject] else {
                return (.sealed, Problem(message: "subject_keys has no data key for the subject of this sealed entry", subject: nil))
            }
            guard let wrapped = stored, !failedSubjects.contains(subject) else { return (.sealed, nil) }
            let key: DataKey
            if let cached = unwrapped[subject] {
                key = cached
            } else {
                do { key = try KeyWrapping.unwrap(wrapped, with: kek, chain: chain, subject: subject) } catch {
                    failedSubjects.insert(subject)
                    return (.sealed, Problem(message: "the subject's data key does not unwrap with the KEK (its row was changed)", subject: subject))
                }
                if unwrapped.count >= Self.keysKept { unwrapped.removeAll(keepingCapacity: true) }
                unwrapped[subject] = key
            }
            do {
                return (.known(try PayloadSealer.openJSON(sealed, key: key, chain: chain, subject: subject, entryID: entry.id)), nil)
            } catch {
                return (.sealed, Problem(message: "the sealed payload does not open with its subject's data key", subject: nil))
            }
        }
    }

    /// Reads every subject's wrapped data key of `chain`.
    static func wrappedKeys(of chain: String, from connection: LibPQConnection) throws -> [String: KeyWrapping.WrappedKey?] {
        var keys: [String: KeyWrapping.WrappedKey?] = [:]
        try connection.forEachRow(
            "SELECT subject_id, key_id, encode(nonce, 'hex'), encode(wrapped, 'hex') FROM subject_keys WHERE chain_id = $1", [chain]
        ) { row in
            guard let subject = row[0], let keyID = row[1] else { return }
            if let nonce = row[2].flatMap(Hex.decode), let ciphertext = row[3].flatMap(Hex.decode) {
                keys[subject] = KeyWrapping.WrappedKey(keyID: keyID, nonce: nonce, ciphertext: ciphertext)
            } else {
                keys[subject] = .some(nil)
            }
        }
        return keys
    }
}
