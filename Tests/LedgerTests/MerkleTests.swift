import Foundation
import Testing
@testable import Ledger

/// RFC 6962 reference vectors (Fixtures/merkle/rfc6962.json, from transparency-dev/merkle).
@Suite("RFC 6962 Merkle tree")
struct MerkleTests {
    struct Vectors {
        let leafHashes: [[UInt8]]
        let roots: [Int: [UInt8]]
        let inclusion: [(index: Int, size: Int, path: [[UInt8]])]
        let consistency: [(size1: Int, size2: Int, proof: [[UInt8]])]
    }

    static func vectors() throws -> Vectors {
        let object = try Fixtures.json("merkle/rfc6962.json") as! [String: Any]
        let hashes = { (list: Any?) in (list as! [String]).map { Hex.decode($0)! } }
        let leaves = (object["leaves"] as! [String]).map { MerkleHash.leaf(Hex.decode($0)!) }
        var roots: [Int: [UInt8]] = [:]
        for root in object["roots"] as! [[String: Any]] {
            roots[root["size"] as! Int] = Hex.decode(root["root"] as! String)!
        }
        let inclusion = (object["inclusion"] as! [[String: Any]]).map {
            (index: $0["index"] as! Int, size: $0["size"] as! Int, path: hashes($0["path"]))
        }
        let consistency = (object["consistency"] as! [[String: Any]]).map {
            (size1: $0["size1"] as! Int, size2: $0["size2"] as! Int, proof: hashes($0["proof"]))
        }
        return Vectors(leafHashes: leaves, roots: roots, inclusion: inclusion, consistency: consistency)
    }

    @Test("roots of every prefix match the published roots, including the empty tree")
    func roots() throws {
        let v = try Self.vectors()
        #expect(v.roots.count >= 8)
        for (size, root) in v.roots {
            #expect(MerkleTree.root(Array(v.leafHashes.prefix(size))) == root, "size \(size)")
        }
    }

    @Test("inclusion proofs are generated as published and verify")
    func inclusionProofs() throws {
        let v = try Self.vectors()
        #expect(!v.inclusion.isEmpty)
        for vector in v.inclusion {
            let leaves = Array(v.leafHashes.prefix(vector.size))
            #expect(try MerkleTree.inclusionProof(index: vector.index, leaves: leaves) == vector.path)
            try MerkleVerification.verifyInclusion(
                leafHash: leaves[vector.index], index: vector.index, treeSize: vector.size, proof: vector.path,
                root: v.roots[vector.size]!)
        }
    }

    @Test("consistency proofs are generated as published and verify")
    func consistencyProofs() throws {
        let v = try Self.vectors()
        #expect(!v.consistency.isEmpty)
        for vector in v.consistency {
            let leaves = Array(v.leafHashes.prefix(vector.size2))
            #expect(try MerkleTree.consistencyProof(oldSize: vector.size1, leaves: leaves) == vector.proof)
            try MerkleVerification.verifyConsistency(
                oldSize: vector.size1, newSize: vector.size2, oldRoot: v.roots[vector.size1]!, newRoot: v.roots[vector.size2]!,
                proof: vector.proof)
        }
    }

    @Test("every inclusion and consistency proof of a 37-leaf tree verifies, and fails when altered")
    func exhaustiveSmallTree() throws {
        let leaves = (0..<37).map { MerkleHash.leaf([UInt8(truncatingIfNeeded: $0), 0xAB]) }
        for size in 1...leaves.count {
            let tree = Array(leaves.prefix(size))
            let root = MerkleTree.root(tree)
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: index, leaves: tree)
                try MerkleVerification.verifyInclusion(leafHash: tree[index], index: index, treeSize: size, proof: proof, root: root)
                let wrongLeaf = tree[(index + 1) % size]
                if size > 1 {
                    #expect(throws: MerkleProofError.self) {
                        try MerkleVerification.verifyInclusion(leafHash: wrongLeaf, index: index, treeSize: size, proof: proof, root: root)
                    }
                }
            }
            for oldSize in 1...size {
                let proof = try MerkleTree.consistencyProof(oldSize: oldSize, leaves: tree)
                let oldRoot = MerkleTree.root(Array(tree.prefix(oldSize)))
                try MerkleVerification.verifyConsistency(oldSize: oldSize, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof)
                if oldSize < size {
                    // A rewritten history: the old root of a different first leaf.
                    var forged = tree
                    forged[0] = MerkleHash.leaf([0xFF])
                    let forgedOldRoot = MerkleTree.root(Array(forged.prefix(oldSize)))
                    #expect(throws: MerkleProofError.self) {
                        try MerkleVerification.verifyConsistency(
                            oldSize: oldSize, newSize: size, oldRoot: forgedOldRoot, newRoot: root, proof: proof)
                    }
                }
            }
        }
    }

    @Test("proofs with a flipped byte, a missing or an extra hash are rejected")
    func tamperedProofs() throws {
        let leaves = (0..<11).map { MerkleHash.leaf([UInt8($0)]) }
        let root = MerkleTree.root(leaves)
        let proof = try MerkleTree.inclusionProof(index: 5, leaves: leaves)
        var flipped = proof
        flipped[1][0] ^= 1
        for bad in [flipped, Array(proof.dropLast()), proof + [root]] {
            #expect(throws: MerkleProofError.self) {
                try MerkleVerification.verifyInclusion(leafHash: leaves[5], index: 5, treeSize: 11, proof: bad, root: root)
            }
        }
        #expect(throws: MerkleProofError.indexOutOfRange) {
            try MerkleVerification.verifyInclusion(leafHash: leaves[5], index: 11, treeSize: 11, proof: proof, root: root)
        }
        let consistency = try MerkleTree.consistencyProof(oldSize: 6, leaves: leaves)
        #expect(throws: MerkleProofError.self) {
            try MerkleVerification.verifyConsistency(
                oldSize: 6, newSize: 11, oldRoot: MerkleTree.root(Array(leaves.prefix(6))), newRoot: root,
                proof: Array(consistency.dropFirst()))
        }
        #expect(throws: MerkleProofError.sizeOutOfRange) {
            try MerkleVerification.verifyConsistency(oldSize: 12, newSize: 11, oldRoot: root, newRoot: root, proof: [])
        }
    }

    @Test("the compact range gives the same root as the full tree at every size, and survives serialisation")
    func compactRange() throws {
        var range = CompactRange()
        #expect(range.root == MerkleHash.emptyRoot)
        var leaves: [[UInt8]] = []
        for i in 0..<130 {
            let leaf = MerkleHash.leaf([UInt8(i & 0xff), UInt8(i >> 8)])
            leaves.append(leaf)
            range.append(leafHash: leaf)
            #expect(range.root == MerkleTree.root(leaves), "size \(i + 1)")
            #expect(range.hashes.count == range.size.nonzeroBitCount)
        }
        let restored = try CompactRange(size: range.size, serialized: range.serialized)
        #expect(restored == range)
        #expect(throws: MerkleProofError.self) { try CompactRange(size: 7, serialized: range.serialized) }
    }
}
