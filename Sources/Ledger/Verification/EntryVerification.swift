/// The checks one stored entry must pass, as pure functions shared by the verifier, bundle reader and tests.
/// Each returns a finding that names what is wrong, or nil.
public enum EntryVerification {
    /// What is wrong with an entry.
    public enum Finding: Sendable, Equatable, CustomStringConvertible {
        case hashMismatch
        case notCanonical(String)
        case wrongChain(expected: String, found: String)
        case seqGap(expected: Int64, found: Int64)
        case brokenLink
        case unknownKey(String)
        case badSignature

        public var description: String {
            switch self {
            case .hashMismatch: "entry hash does not match its bytes (the entry was modified)"
            case .notCanonical(let why): "entry bytes are invalid: \(why)"
            case .wrongChain(let expected, let found): "entry belongs to chain '\(found)', expected '\(expected)'"
            case .seqGap(let expected, let found): "expected seq \(expected), found \(found) (an entry was deleted, inserted or reordered)"
            case .brokenLink: "prev does not equal the previous entry's hash (the chain was cut or rewritten)"
            case .unknownKey(let keyID): "signed by key \(keyID.prefix(16))…, which is not in the trusted key set"
            case .badSignature: "signature does not verify"
            }
        }
    }

    /// The stored hash equals the hash of the stored bytes.
    public static func checkHash(canonicalBytes: some Sequence<UInt8>, storedHash: [UInt8]) -> Finding? {
        EntryHash.of(canonicalBytes: canonicalBytes) == storedHash ? nil : .hashMismatch
    }

    /// The entry follows `previousHash` at `expectedSeq` on `chain`.
    public static func checkLink(_ entry: some ChainLinkFields, chain: String, expectedSeq: Int64, previousHash: [UInt8]) -> Finding? {
        if !entry.isOnChain(chain) { return .wrongChain(expected: chain, found: entry.chainName) }
        if entry.seq != expectedSeq { return .seqGap(expected: expectedSeq, found: entry.seq) }
        if !entry.prevEquals(previousHash) { return .brokenLink }
        return nil
    }

    /// The signature verifies under a trusted key.
    public static func checkSignature(entryHash: [UInt8], keyID: String, signature: [UInt8], trustedKeys: [String: Ed25519PublicKey]) -> Finding? {
        guard let key = trustedKeys[keyID] else { return .unknownKey(keyID) }
        return key.isValidSignature(signature, for: entryHash) ? nil : .badSignature
    }

    /// All checks of one entry in order, stopping at the first finding.
    public static func verify(
        _ signed: SignedEntry, chain: String, expectedSeq: Int64, previousHash: [UInt8], trustedKeys: [String: Ed25519PublicKey]
    ) -> Finding? {
        if let finding = checkHash(canonicalBytes: signed.canonicalBytes, storedHash: signed.entryHash) { return finding }
        if signed.canonicalBytes != signed.entry.canonicalBytes() { return .notCanonical("bytes do not re-encode identically") }
        if let finding = checkLink(signed.entry, chain: chain, expectedSeq: expectedSeq, previousHash: previousHash) { return finding }
        return checkSignature(entryHash: signed.entryHash, keyID: signed.keyID, signature: signed.signature, trustedKeys: trustedKeys)
    }
}

/// What an entry states of its place in a chain: all that `EntryVerification.checkLink` reads, whether from a
/// built entry or from its bytes in place.
public protocol ChainLinkFields {
    var seq: Int64 { get }
    /// The chain the entry names.
    var chainName: String { get }
    /// The entry's `prev`.
    var prev: [UInt8] { get }
    /// Whether the entry names `chain` (without building `chainName`, where that costs).
    func isOnChain(_ chain: String) -> Bool
    /// Whether the entry's `prev` is `hash` (without building `prev`, where that costs).
    func prevEquals(_ hash: [UInt8]) -> Bool
}

extension ChainLinkFields {
    public func isOnChain(_ chain: String) -> Bool { chainName == chain }
    public func prevEquals(_ hash: [UInt8]) -> Bool { prev == hash }
}

extension LedgerEntry: ChainLinkFields {
    public var chainName: String { chain }
}

extension CanonicalEntryView: ChainLinkFields {
    public func isOnChain(_ chain: String) -> Bool { self.chain.elementsEqual(chain.utf8) }
    public var chainName: String { String(decoding: chain, as: UTF8.self) }
}
