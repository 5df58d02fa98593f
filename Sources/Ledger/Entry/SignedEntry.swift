/// An entry as stored: its canonical bytes, their hash, and the Ed25519 signature over that hash with the id
/// of the key that made it.
public struct SignedEntry: Sendable, Equatable {
    public let entry: LedgerEntry
    public let canonicalBytes: [UInt8]
    public let entryHash: [UInt8]
    public let keyID: String
    public let signature: [UInt8]

    /// Canonicalises, hashes and signs `entry`.
    public init(signing entry: LedgerEntry, with key: Ed25519SigningKey) {
        self.entry = entry
        self.canonicalBytes = entry.canonicalBytes()
        self.entryHash = EntryHash.of(canonicalBytes: canonicalBytes)
        self.keyID = key.keyID
        self.signature = key.sign(entryHash)
    }

    /// Rebuilds a stored entry without checking it; `EntryVerification` decides whether to trust it.
    public init(entry: LedgerEntry, canonicalBytes: [UInt8], entryHash: [UInt8], keyID: String, signature: [UInt8]) {
        self.entry = entry
        self.canonicalBytes = canonicalBytes
        self.entryHash = entryHash
        self.keyID = keyID
        self.signature = signature
    }
}
