/// Proof verification as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) specify it. These need
/// only the proof and the roots, never the tree: they are what a bundle reader runs offline.
public enum MerkleVerification {
    /// Checks that `leafHash` is leaf `index` of the tree of `treeSize` leaves whose root is `root`.
    public static func verifyInclusion(
        leafHash: [UInt8], index: Int, treeSize: Int, proof: [[UInt8]], root: [UInt8]
    ) throws(MerkleProofError) {
        guard index >= 0, index < treeSize else { throw .indexOutOfRange }
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw .wrongProofLength }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .wrongProofLength }
        guard r == root else { throw .rootMismatch }
    }

    /// Checks that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the tree of `newSize` leaves
    /// with root `newRoot`: nothing recorded before was changed, removed or reordered.
    public static func verifyConsistency(
        oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) throws(MerkleProofError) {
        guard oldSize >= 0, oldSize <= newSize else { throw .sizeOutOfRange }
        if oldSize == newSize {
            guard proof.isEmpty else { throw .wrongProofLength }
            guard oldRoot == newRoot else { throw .rootMismatch }
            return
        }
        if oldSize == 0 {
            // Every tree extends the empty tree; there is nothing to prove.
            guard proof.isEmpty else { throw .wrongProofLength }
            return
        }
        guard !proof.isEmpty else { throw .wrongProofLength }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw .wrongProofLength }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .wrongProofLength }
        guard fr == oldRoot, sr == newRoot else { throw .rootMismatch }
    }
}
