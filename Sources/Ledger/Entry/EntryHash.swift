import Crypto

/// Entry hashing: `SHA-256("PHI-LEDGER-ENTRY-V1" || 0x00 || canonical bytes)`. The prefix keeps an entry hash
/// from ever colliding with a hash made for another purpose (Merkle nodes, payload contexts, notes).
public enum EntryHash {
    /// The domain-separation prefix.
    public static let prefix: [UInt8] = Array("PHI-LEDGER-ENTRY-V1".utf8) + [0]

    public static func of(canonicalBytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(contiguous: prefix)
        hasher.update(contiguous: canonicalBytes)
        return hasher.finalize().bytes
    }

    /// The Merkle leaf hash of an entry: the RFC 6962 leaf hash of its 32-byte entry hash.
    public static func merkleLeaf(entryHash: [UInt8]) -> [UInt8] {
        MerkleHash.leaf(entryHash)
    }
}
