import Crypto

/// RFC 6962 / RFC 9162 §2.1.1 hashing: leaves and interior nodes are domain-separated by a one-byte prefix so
/// that a leaf can never be passed off as a node.
public enum MerkleHash {
    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 || data)`.
    public static func leaf(_ data: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(contiguous: leafPrefix)
        hasher.update(contiguous: data)
        return hasher.finalize().bytes
    }

    /// `SHA-256(0x01 || left || right)`.
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(contiguous: nodePrefix)
        hasher.update(contiguous: left)
        hasher.update(contiguous: right)
        return hasher.finalize().bytes
    }

    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]

    /// The largest power of two strictly less than `n` (n ≥ 2): where RFC 6962 splits a tree of `n` leaves.
    static func split(_ n: Int) -> Int {
        precondition(n >= 2)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}
