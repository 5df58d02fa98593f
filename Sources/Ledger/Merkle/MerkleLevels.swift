/// A whole Merkle tree kept level by level: the leaf hashes, then the root of every aligned perfect subtree
/// above them, in flat storage (about twice 32 bytes per leaf). Any subtree root, and so any inclusion proof,
/// then takes O(log² n) hashing instead of O(n): what exporting the proofs of many entries of a long chain needs.
/// Proofs are RFC 6962's PATH, the same as `MerkleTree.inclusionProof`.
public struct MerkleLevels: Sendable {
    /// `levels[k]` holds the roots of the perfect subtrees of 2^k leaves that start at multiples of 2^k.
    private var levels: [[UInt8]] = [[]]
    /// The number of leaves.
    public private(set) var size = 0

    public init() {}

    /// Appends one leaf hash (32 bytes).
    public mutating func append(leafHash: [UInt8]) {
        precondition(leafHash.count == 32)
        levels[0].append(contentsOf: leafHash)
        size += 1
        var level = 0
        var count = size
        // A completed pair at one level is a new node at the next.
        while count & 1 == 0 {
            let pair = levels[level].count - 64
            let node = MerkleHash.node(Array(levels[level][pair..<pair + 32]), Array(levels[level][(pair + 32)...]))
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(contentsOf: node)
            level += 1
            count >>= 1
        }
    }

    /// The root of the whole tree.
    public var root: [UInt8] { size == 0 ? MerkleHash.emptyRoot : root(start: 0, count: size) }

    /// The root of the first `treeSize` leaves.
    public func root(treeSize: Int) -> [UInt8] {
        precondition(treeSize <= size)
        return treeSize == 0 ? MerkleHash.emptyRoot : root(start: 0, count: treeSize)
    }

    /// PATH(index, D[treeSize]): the proof that leaf `index` is in the tree of the first `treeSize` leaves.
    public func inclusionProof(index: Int, treeSize: Int) throws(MerkleProofError) -> [[UInt8]] {
        guard treeSize <= size else { throw .sizeOutOfRange }
        guard index >= 0, index < treeSize else { throw .indexOutOfRange }
        return path(index, start: 0, count: treeSize)
    }

    private func path(_ m: Int, start: Int, count: Int) -> [[UInt8]] {
        guard count > 1 else { return [] }
        let k = MerkleHash.split(count)
        if m < k { return path(m, start: start, count: k) + [root(start: start + k, count: count - k)] }
        return path(m - k, start: start + k, count: count - k) + [root(start: start, count: k)]
    }

    /// MTH of the leaves [start, start + count).
    private func root(start: Int, count: Int) -> [UInt8] {
        if count.nonzeroBitCount == 1, start % count == 0 {
            let level = count.trailingZeroBitCount
            let offset = (start / count) * 32
            return Array(levels[level][offset..<offset + 32])
        }
        let k = MerkleHash.split(count)
        return MerkleHash.node(root(start: start, count: k), root(start: start + k, count: count - k))
    }
}
