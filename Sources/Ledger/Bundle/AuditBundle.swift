import Crypto
import Foundation

/// A signed audit bundle (docs/bundle-format.md): a selection of a chain's entries, each with its signature and
/// its inclusion proof to a signed checkpoint, the checkpoint, the ledger public keys, and a manifest of every
/// file's SHA-256 signed by whoever exported it. Sealed payloads stay sealed. Everything in it can be checked
/// offline with the trusted ledger keys alone.
public struct AuditBundle: Sendable, Equatable {
    /// One exported entry.
    public struct Entry: Sendable, Equatable {
        /// The canonical bytes, exactly as hashed.
        public var canonical: [UInt8]
        public var seq: Int64
        public var entryHash: [UInt8]
        public var keyID: String
        public var signature: [UInt8]
        /// RFC 6962 PATH from the entry's leaf (index seq - 1) to the checkpoint's root.
        public var proof: [[UInt8]]

        public init(canonical: [UInt8], seq: Int64, entryHash: [UInt8], keyID: String, signature: [UInt8], proof: [[UInt8]]) {
            self.canonical = canonical
            self.seq = seq
            self.entryHash = entryHash
            self.keyID = keyID
            self.signature = signature
            self.proof = proof
        }
    }

    /// What the exporter was asked for; absent fields were not restricted.
    public struct Selection: Sendable, Equatable {
        public var from: LedgerTimestamp?
        public var to: LedgerTimestamp?
        public var patient: String?

        public init(from: LedgerTimestamp? = nil, to: LedgerTimestamp? = nil, patient: String? = nil) {
            self.from = from
            self.to = to
            self.patient = patient
        }
    }

    public var chain: String
    public var createdAt: LedgerTimestamp
    /// Who made it: `verifier export` or `gateway`.
    public var producer: String
    public var selection: Selection
    /// The signed checkpoint note every proof leads to.
    public var checkpointNote: String
    public var treeSize: Int64
    public var entries: [Entry]
    /// The ledger public keys that signed the entries and the checkpoint (for reference: a reader trusts its own).
    public var ledgerKeys: [Ed25519PublicKey]

    public init(
        chain: String, createdAt: LedgerTimestamp, producer: String, selection: Selection, checkpointNote: String, treeSize: Int64,
        entries: [Entry], ledgerKeys: [Ed25519PublicKey]
    ) {
        self.chain = chain
        self.createdAt = createdAt
        self.producer = producer
        self.selection = selection
        self.checkpointNote = checkpointNote
        self.treeSize = treeSize
        self.entries = entries
        self.ledgerKeys = ledgerKeys
    }

    /// The format's name, in the manifest.
    public static let format = "phi-ledger-bundle-v1"
    /// Prefixed to the manifest's bytes before signing, so the signature cannot stand for anything else.
    public static let signingPrefix = Array("PHI-LEDGER-BUNDLE-V1".utf8) + [0]

    /// The files, in archive order, except the manifest and its signature.
    func contentFiles() throws -> [(name: String, bytes: [UInt8])] {
        var entries: [UInt8] = [], signatures: [UInt8] = [], proofs: [UInt8] = []
        for entry in self.entries {
            entries += entry.canonical + [0x0A]
            signatures += try JCS.canonicalize([
                "seq": .number(Double(entry.seq)), "entryHash": .string(Hex.encode(entry.entryHash)), "keyId": .string(entry.keyID),
                "signature": .string(Hex.encode(entry.signature)),
            ]) + [0x0A]
            proofs += try JCS.canonicalize([
                "seq": .number(Double(entry.seq)), "leafIndex": .number(Double(entry.seq - 1)), "treeSize": .number(Double(treeSize)),
                "path": .array(entry.proof.map { .string(Hex.encode($0)) }),
            ]) + [0x0A]
        }
        let keys = ledgerKeys.map { Hex.encode($0.bytes) + "\n" }.joined()
        return [
            ("checkpoint.txt", Array(checkpointNote.utf8)), ("entries.jsonl", entries), ("signatures.jsonl", signatures),
            ("proofs.jsonl", proofs), ("keys.txt", Array(keys.utf8)),
        ]
    }

    /// The manifest for `files`: canonical JSON.
    func manifest(files: [(name: String, bytes: [UInt8])], signer: String) throws -> [UInt8] {
        var selection: [String: JSONValue] = [:]
        if let from = self.selection.from { selection["from"] = .string(from.description) }
        if let to = self.selection.to { selection["to"] = .string(to.description) }
        if let patient = self.selection.patient { selection["patient"] = .string(patient) }
        return try JCS.canonicalize([
            "format": .string(Self.format), "chain": .string(chain), "createdAt": .string(createdAt.description),
            "producer": .string(producer), "selection": .object(selection), "treeSize": .number(Double(treeSize)),
            "entries": .number(Double(entries.count)), "signerKeyId": .string(signer),
            "files": .array(files.map { file in
                [
                    "name": .string(file.name), "bytes": .number(Double(file.bytes.count)),
                    "sha256": .string(Hex.encode(Array(SHA256.hash(data: file.bytes)))),
                ]
            }),
        ])
    }

    /// The bundle as a ZIP archive, its manifest signed with `key`.
    public func archive(signedWith key: Ed25519SigningKey) throws -> [UInt8] {
        let files = try contentFiles()
        let manifest = try manifest(files: files, signer: key.keyID)
        let signature = "ed25519 \(key.keyID) \(Hex.encode(key.sign(Self.signingPrefix + manifest)))\n"
        return try BundleArchive.write([("manifest.json", manifest), ("manifest.sig", Array(signature.utf8))] + files)
    }
}
