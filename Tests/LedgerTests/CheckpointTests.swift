import Foundation
import Testing
@testable import Ledger

@Suite("Checkpoints as C2SP signed notes")
struct CheckpointTests {
    let key = Ed25519SigningKey.generate()
    let checkpoint = Checkpoint(
        origin: "phi-ledger.example/main", treeSize: 1042, rootHash: [UInt8](repeating: 0xAA, count: 32),
        headHash: [UInt8](repeating: 0xBB, count: 32), time: LedgerTimestamp(microsecondsSinceEpoch: 1_790_000_000_123_456))

    @Test("a signed checkpoint opens with its key and reads back the same values")
    func roundTrip() throws {
        let note = checkpoint.signedNote(with: key)
        #expect(note.hasPrefix("phi-ledger.example/main\n1042\n"))
        #expect(note.contains("\n\n\u{2014} phi-ledger.example/main "))
        let verifier = try Checkpoint.verifierKey(origin: checkpoint.origin, publicKey: key.publicKey)
        #expect(try Checkpoint.open(note, keys: [verifier]) == checkpoint)
    }

    @Test("a forged body, a wrong key or a stripped signature is refused")
    func forgeries() throws {
        let note = checkpoint.signedNote(with: key)
        let verifier = try Checkpoint.verifierKey(origin: checkpoint.origin, publicKey: key.publicKey)
        let forged = note.replacingOccurrences(of: "\n1042\n", with: "\n1043\n")
        #expect(throws: LedgerFormatError.self) { try Checkpoint.open(forged, keys: [verifier]) }
        let stranger = try Checkpoint.verifierKey(origin: checkpoint.origin, publicKey: Ed25519SigningKey.generate().publicKey)
        #expect(throws: LedgerFormatError.self) { try Checkpoint.open(note, keys: [stranger]) }
        #expect(throws: LedgerFormatError.self) { try Checkpoint.open(checkpoint.body, keys: [verifier]) }
        // The right signature re-signed over by an attacker under the same name is still checked against our key.
        let attacker = Ed25519SigningKey.generate()
        let attackerNote = Checkpoint(origin: checkpoint.origin, treeSize: 1, rootHash: checkpoint.rootHash, headHash: checkpoint.headHash,
                                      time: checkpoint.time).signedNote(with: attacker)
        #expect(throws: LedgerFormatError.self) { try Checkpoint.open(attackerNote, keys: [verifier]) }
    }

    @Test("the key hash follows the signed-note definition")
    func keyHash() throws {
        let verifier = try SignedNote.VerifierKey(name: "example.com/log", publicKey: key.publicKey)
        var input = Array("example.com/log".utf8) + [0x0a, 0x01]
        input += key.publicKey.bytes
        let expected = Array(sha256(input).prefix(4))
        #expect(verifier.keyHash == expected)
    }

    @Test("malformed checkpoint bodies are rejected", arguments: [
        "origin\n12\n",
        "origin\n-1\nqqqq\nhead 00\ntime 2026-01-01T00:00:00.000000Z\n",
        "origin\n012\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nhead \(String(repeating: "0", count: 64))\ntime 2026-01-01T00:00:00.000000Z\n",
        "has space\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nhead \(String(repeating: "0", count: 64))\ntime 2026-01-01T00:00:00.000000Z\n",
    ])
    func malformedBodies(body: String) {
        #expect(throws: LedgerFormatError.self) { try Checkpoint.parse(body: body) }
    }

    @Test("timestamps print and parse in exactly one form")
    func timestamps() {
        let time = LedgerTimestamp(microsecondsSinceEpoch: 1_790_000_000_123_456)
        #expect(time.description == "2026-09-21T14:13:20.123456Z")
        #expect(LedgerTimestamp(parsing: time.description) == time)
        #expect(LedgerTimestamp(parsing: "2026-02-30T00:00:00.000000Z") == nil)
        #expect(LedgerTimestamp(parsing: "2026-09-21T14:13:20.123Z") == nil)
        #expect(LedgerTimestamp(microsecondsSinceEpoch: 0).description == "1970-01-01T00:00:00.000000Z")
    }
}

import Crypto
private func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
