import Testing
@testable import Ledger

@Suite("Merkle levels: fast proofs for a whole tree")
struct MerkleLevelsTests {
    @Test("every root and inclusion proof equals RFC 6962's recursive definition, for every index of trees of 1 to 70 leaves")
    func matchesTheDefinition() throws {
        let leaves = (0..<70).map { MerkleHash.leaf([UInt8(truncatingIfNeeded: $0), 7]) }
        var levels = MerkleLevels()
        for leaf in leaves { levels.append(leafHash: leaf) }
        #expect(levels.root == MerkleTree.root(leaves))
        for size in 1...leaves.count {
            let prefix = Array(leaves.prefix(size))
            #expect(levels.root(treeSize: size) == MerkleTree.root(prefix))
            for index in 0..<size {
                let proof = try levels.inclusionProof(index: index, treeSize: size)
                #expect(proof == (try MerkleTree.inclusionProof(index: index, leaves: prefix)))
                try MerkleVerification.verifyInclusion(
                    leafHash: leaves[index], index: index, treeSize: size, proof: proof, root: MerkleTree.root(prefix))
            }
        }
        #expect(throws: MerkleProofError.self) { try levels.inclusionProof(index: 3, treeSize: 71) }
        #expect(throws: MerkleProofError.self) { try levels.inclusionProof(index: 5, treeSize: 5) }
        #expect(MerkleLevels().root == MerkleHash.emptyRoot)
    }
}
