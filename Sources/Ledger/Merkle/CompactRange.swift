/// The right edge of a Merkle tree: one hash per set bit of the tree size (the roots of its perfect subtrees,
/// largest first). Enough to append leaves and compute the root in O(log n) without the leaves themselves,
/// so the writer keeps it beside the chain head instead of re-reading the whole log.
public struct CompactRange: Sendable, Equatable {
    /// The number of leaves covered.
    public private(set) var size: Int
    /// Perfect-subtree roots, left to right.
    public private(set) var hashes: [[UInt8]]

    /// The empty tree.
    public init() {
        self.size = 0
        self.hashes = []
    }

    /// Restores a range from storage; the hash count must match the size's set bits.
    public init(size: Int, hashes: [[UInt8]]) throws(MerkleProofError) {
        guard size >= 0, hashes.count == size.nonzeroBitCount, hashes.allSatisfy({ $0.count == 32 }) else {
            throw .sizeOutOfRange
        }
        self.size = size
        self.hashes = hashes
    }

    /// Appends one leaf hash.
    public mutating func append(leafHash: [UInt8]) {
        var hash = leafHash
        var carry = size
        // Each trailing 1 bit of the old size is a perfect subtree of the new leaf's height: merge it.
        while carry & 1 == 1 {
            hash = MerkleHash.node(hashes.removeLast(), hash)
            carry >>= 1
        }
        hashes.append(hash)
        size += 1
    }

    /// The root hash of the covered tree.
    public var root: [UInt8] {
        guard var result = hashes.last else { return MerkleHash.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            result = MerkleHash.node(hash, result)
        }
        return result
    }

    /// The hashes concatenated, for a `bytea` column.
    public var serialized: [UInt8] { hashes.flatMap { $0 } }

    /// Reads the `serialized` form back.
    public init(size: Int, serialized: some Collection<UInt8>) throws(MerkleProofError) {
        let bytes = Array(serialized)
        guard bytes.count % 32 == 0 else { throw .sizeOutOfRange }
        let hashes = stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<$0 + 32]) }
        try self.init(size: size, hashes: hashes)
    }
}
