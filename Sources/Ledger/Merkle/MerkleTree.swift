/// Root hashes and proofs over a list of leaf hashes, exactly as RFC 6962 §2.1 defines them (MTH, PATH,
/// PROOF). Pure functions: the caller supplies the leaf hashes (`MerkleHash.leaf` of each entry's data).
public enum MerkleTree {
    /// MTH(D[n]): the root hash of `leaves`.
    public static func root(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        switch leaves.count {
        case 0: return MerkleHash.emptyRoot
        case 1: return leaves[leaves.startIndex]
        default:
            let k = MerkleHash.split(leaves.count)
            let middle = leaves.startIndex + k
            return MerkleHash.node(root(leaves[..<middle]), root(leaves[middle...]))
        }
    }

    /// MTH over a whole array.
    public static func root(_ leaves: [[UInt8]]) -> [UInt8] { root(leaves[...]) }

    /// PATH(m, D[n]): the audit path proving leaf `index` is in the tree of `leaves`.
    public static func inclusionProof(index: Int, leaves: [[UInt8]]) throws(MerkleProofError) -> [[UInt8]] {
        guard index >= 0, index < leaves.count else { throw .indexOutOfRange }
        return path(index, leaves[...])
    }

    private static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard leaves.count > 1 else { return [] }
        let k = MerkleHash.split(leaves.count)
        let middle = leaves.startIndex + k
        if m < k {
            return path(m, leaves[..<middle]) + [root(leaves[middle...])]
        }
        return path(m - k, leaves[middle...]) + [root(leaves[..<middle])]
    }

    /// PROOF(m, D[n]): the consistency proof between the tree of the first `oldSize` leaves and all of `leaves`.
    public static func consistencyProof(oldSize: Int, leaves: [[UInt8]]) throws(MerkleProofError) -> [[UInt8]] {
        guard oldSize >= 0, oldSize <= leaves.count else { throw .sizeOutOfRange }
        guard oldSize > 0, oldSize < leaves.count else { return [] }
        return subproof(oldSize, leaves[...], complete: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, complete: Bool) -> [[UInt8]] {
        let n = leaves.count
        if m == n { return complete ? [] : [root(leaves)] }
        let k = MerkleHash.split(n)
        let middle = leaves.startIndex + k
        if m <= k {
            return subproof(m, leaves[..<middle], complete: complete) + [root(leaves[middle...])]
        }
        return subproof(m - k, leaves[middle...], complete: false) + [root(leaves[..<middle])]
    }
}

/// Why a proof could not be made or did not verify.
public enum MerkleProofError: Error, Equatable, CustomStringConvertible {
    case indexOutOfRange
    case sizeOutOfRange
    case wrongProofLength
    case rootMismatch

    public var description: String {
        switch self {
        case .indexOutOfRange: "leaf index is not inside the tree"
        case .sizeOutOfRange: "tree sizes are out of order or out of range"
        case .wrongProofLength: "the proof has the wrong number of hashes"
        case .rootMismatch: "the proof does not lead to the expected root"
        }
    }
}
