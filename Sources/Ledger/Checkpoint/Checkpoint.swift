import Foundation

/// A signed statement of the ledger's state: the C2SP tlog-checkpoint body (origin, tree size, base64 root
/// hash) with two extension lines, the chain's head hash and the time it was made:
///
///     phi-ledger.example/main
///     1042
///     <base64 Merkle root>
///     head <hex entry hash of seq 1042>
///     time 2026-11-21T19:31:36.123456Z
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var treeSize: Int64
    public var rootHash: [UInt8]
    public var headHash: [UInt8]
    public var time: LedgerTimestamp

    public init(origin: String, treeSize: Int64, rootHash: [UInt8], headHash: [UInt8], time: LedgerTimestamp) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.headHash = headHash
        self.time = time
    }

    /// The note text that is signed.
    public var body: String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\nhead \(Hex.encode(headHash))\ntime \(time)\n"
    }

    /// The signed note: body, blank line, signature line. The key's note name is the origin.
    public func signedNote(with key: Ed25519SigningKey) -> String {
        // The origin is validated when the checkpoint is parsed or built by the writer.
        try! SignedNote.sign(body, name: origin, key: key)
    }

    /// The verifier key for this origin and public key.
    public static func verifierKey(origin: String, publicKey: Ed25519PublicKey) throws(LedgerFormatError) -> SignedNote.VerifierKey {
        try SignedNote.VerifierKey(name: origin, publicKey: publicKey)
    }

    /// Verifies `note` against `keys` and parses its body; throws if no trusted signature verifies or the body
    /// is not a checkpoint.
    public static func open(_ note: String, keys: [SignedNote.VerifierKey]) throws(LedgerFormatError) -> Checkpoint {
        let text = try SignedNote.open(note, keys: keys)
        return try parse(body: text)
    }

    /// Parses a checkpoint body (no signature check).
    public static func parse(body text: String) throws(LedgerFormatError) -> Checkpoint {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 6, lines[5].isEmpty else { throw .invalid("checkpoint must have exactly five lines") }
        let origin = String(lines[0])
        guard SignedNote.isValidKeyName(origin) else { throw .invalid("checkpoint origin is invalid") }
        guard let size = Int64(lines[1]), size >= 0, String(size) == lines[1] else { throw .invalid("checkpoint tree size is invalid") }
        guard let root = Data(base64Encoded: String(lines[2])), root.count == 32 else { throw .invalid("checkpoint root hash is invalid") }
        guard lines[3].hasPrefix("head "), let head = Hex.decode(lines[3].dropFirst(5)), head.count == 32 else {
            throw .invalid("checkpoint head line is invalid")
        }
        guard lines[4].hasPrefix("time "), let time = LedgerTimestamp(parsing: String(lines[4].dropFirst(5))) else {
            throw .invalid("checkpoint time line is invalid")
        }
        return Checkpoint(origin: origin, treeSize: size, rootHash: [UInt8](root), headHash: head, time: time)
    }
}
