import Foundation
import Testing
@testable import Ledger

@Suite("reading canonical entries without a JSON tree")
struct CanonicalEntryReaderTests {
    static let sealed = SealedPayload(keyID: "0123456789abcdef0123456789abcdef", nonce: Array(repeating: 7, count: 24), ciphertext: [1, 2, 3, 250])

    static func entry(actor: LedgerEntry.Actor?, payload: LedgerEntry.Payload, subject: String? = "patient-1", action: String = "patient.read")
        -> LedgerEntry {
        LedgerEntry(
            chain: "main", seq: 42, prev: Array(repeating: 0xab, count: 32), id: "e-42", recordedAt: LedgerTimestamp(microsecondsSinceEpoch: 1_795_422_600_250_001),
            actor: actor, action: action, resource: .init(type: "patient", id: "p-1"), subject: subject, purposeOfUse: "TREAT",
            policyVersion: nil, requestID: "r-1", outcome: .denied, payload: payload)
    }

    @Test("every shape the writer lays out reads back to the same entry; clear payloads and escapes go to the general parser")
    func agreesWithTheGeneralParser() throws {
        let actor = LedgerEntry.Actor(userID: "u-1", roles: ["clinician", "nurse"], sessionID: nil, authMethods: [], clientAddress: "10.0.0.1")
        let cases: [(LedgerEntry, fast: Bool)] = [
            (Self.entry(actor: actor, payload: .sealed(Self.sealed)), true),
            (Self.entry(actor: nil, payload: .none, subject: nil), true),
            (Self.entry(actor: actor, payload: .none, action: "note.créer ✓"), true),
            (Self.entry(actor: actor, payload: .clear(["patients": ["a", "b"]])), false),
            (Self.entry(actor: actor, payload: .none, action: "quote\"d"), false),
        ]
        for (entry, fast) in cases {
            let bytes = entry.canonicalBytes()
            var reader = CanonicalEntryReader(bytes)
            let read = reader.read()
            #expect(fast ? read == entry : read == nil, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try LedgerEntry(canonicalBytes: bytes) == entry)
        }
    }

    @Test("bytes that are not the canonical layout, or break the format's rules, are refused either way")
    func refusals() throws {
        let bytes = Self.entry(actor: nil, payload: .sealed(Self.sealed)).canonicalBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        for (from, to) in [
            (#""version":1}"#, #""version":2}"#), (#""seq":42"#, #""seq":042"#), (#""seq":42"#, #""seq":0"#), (#""seq":42"#, #""seq": 42"#),
            (#""outcome":"denied""#, #""outcome":"refused""#), (#""alg":"XChaCha20-Poly1305""#, #""alg":"AES-GCM""#),
            (#""nonce":"BwcH"#, #""nonce":"!wcH"#), (#""chain":"main""#, #""chain":"ma\u0069n""#),
        ] {
            let changed = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(changed != bytes, "\(from) is not in the entry")
            #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: changed) }
        }
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: bytes + [0x20]) }
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: Array(bytes.dropLast())) }
    }
}
