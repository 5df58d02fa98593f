import Foundation
import Ledger

/// A verifier's signed statement that a chain was intact up to a tree size (docs/attestation-format.md). It
/// carries the Merkle tree's right edge and the keys trusted at that point, so that a later `verify --since`
/// can check only the entries added since, and their consistency with what was attested.
struct Attestation: Equatable {
    static let format = "phi-ledger-attestation-v1"
    /// Prefixed to the canonical statement before signing, so that the signature cannot stand for anything else.
    static let signingPrefix = Array("PHI-LEDGER-ATTESTATION-V1".utf8) + [0]

    var chain: String
    var treeSize: Int64
    var rootHash: [UInt8]
    var headHash: [UInt8]
    /// The compact range at `treeSize`: the roots of its perfect subtrees, left to right.
    var frontier: [[UInt8]]
    /// Every ledger key trusted at `treeSize` (those given, and those introduced by rotations).
    var trustedKeys: [Ed25519PublicKey]
    var checks: [String]
    var time: LedgerTimestamp
    var verifierKeyID: String

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// The statement that is signed, as JSON.
    var statement: JSONValue {
        .object([
            "format": .string(Self.format),
            "chain": .string(chain),
            "treeSize": .number(Double(treeSize)),
            "rootHash": .string(Hex.encode(rootHash)),
            "headHash": .string(Hex.encode(headHash)),
            "frontier": .array(frontier.map { .string(Hex.encode($0)) }),
            "trustedKeys": .array(trustedKeys.map { .string(Hex.encode($0.bytes)) }.sorted { $0.stringValue! < $1.stringValue! }),
            "checks": .array(checks.map(JSONValue.string)),
            "time": .string(time.description),
            "verifierKeyId": .string(verifierKeyID),
        ])
    }

    /// The signed document: `{"statement": ..., "signature": hex}` in canonical JSON.
    func signed(with key: Ed25519SigningKey) throws -> [UInt8] {
        let bytes = try JCS.canonicalize(statement)
        let signature = key.sign(Self.signingPrefix + bytes)
        return try JCS.canonicalize(.object(["statement": statement, "signature": .string(Hex.encode(signature))]))
    }

    /// Reads a signed attestation, refusing it unless a key in `verifierKeys` signed it.
    static func open(_ bytes: [UInt8], verifierKeys: [String: Ed25519PublicKey]) throws -> Attestation {
        guard let document = try? JSONParser.parse(bytes), let statement = document["statement"],
              let signatureHex = document["signature"]?.stringValue, let signature = Hex.decode(signatureHex)
        else { throw Invalid(description: "not an attestation document") }
        guard let keyID = statement["verifierKeyId"]?.stringValue, let key = verifierKeys[keyID] else {
            throw Invalid(description: "the attestation is signed by a verifier key that is not trusted (--verifier-keys)")
        }
        guard key.isValidSignature(signature, for: signingPrefix + (try JCS.canonicalize(statement))) else {
            throw Invalid(description: "the attestation's signature does not verify: it was changed after it was signed")
        }
        return try Attestation(statement: statement)
    }

    private init(statement: JSONValue) throws {
        func hex(_ name: String, count: Int? = nil) throws -> [UInt8] {
            guard let text = statement[name]?.stringValue, let bytes = Hex.decode(text), count.map({ bytes.count == $0 }) ?? true else {
                throw Invalid(description: "attestation field \(name) is missing or not hex")
            }
            return bytes
        }
        guard statement["format"]?.stringValue == Self.format else { throw Invalid(description: "not a \(Self.format) document") }
        guard let chain = statement["chain"]?.stringValue, let size = statement["treeSize"]?.integerValue, size >= 0,
              let frontier = statement["frontier"]?.arrayValue, let keys = statement["trustedKeys"]?.arrayValue,
              let checks = statement["checks"]?.arrayValue, let timeText = statement["time"]?.stringValue,
              let time = LedgerTimestamp(parsing: timeText), let verifierKeyID = statement["verifierKeyId"]?.stringValue
        else { throw Invalid(description: "an attestation field is missing or of the wrong type") }
        self.chain = chain
        self.treeSize = size
        self.rootHash = try hex("rootHash", count: 32)
        self.headHash = try hex("headHash", count: 32)
        self.frontier = try frontier.map { value in
            guard let text = value.stringValue, let bytes = Hex.decode(text), bytes.count == 32 else {
                throw Invalid(description: "attestation frontier holds a value that is not a 32-byte hex hash")
            }
            return bytes
        }
        self.trustedKeys = try keys.map { value in
            guard let text = value.stringValue, let bytes = Hex.decode(text), let key = try? Ed25519PublicKey(bytes: bytes) else {
                throw Invalid(description: "attestation trustedKeys holds a value that is not an Ed25519 public key")
            }
            return key
        }
        self.checks = checks.compactMap(\.stringValue)
        self.time = time
        self.verifierKeyID = verifierKeyID
    }

    init(chain: String, treeSize: Int64, rootHash: [UInt8], headHash: [UInt8], frontier: [[UInt8]], trustedKeys: [Ed25519PublicKey],
         checks: [String], time: LedgerTimestamp, verifierKeyID: String) {
        self.chain = chain
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.headHash = headHash
        self.frontier = frontier
        self.trustedKeys = trustedKeys
        self.checks = checks
        self.time = time
        self.verifierKeyID = verifierKeyID
    }

    /// Where a verification resumes: the tree's right edge, checked against the attested root.
    func resumePoint() throws -> ChainVerifier.Resume {
        guard let tree = try? CompactRange(size: Int(treeSize), hashes: frontier), tree.root == rootHash else {
            throw Invalid(description: "the attestation's frontier does not give its root hash")
        }
        return ChainVerifier.Resume(tree: tree, headHash: headHash)
    }
}
