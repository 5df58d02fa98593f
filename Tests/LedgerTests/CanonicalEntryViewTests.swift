import Foundation
import Testing
@testable import Ledger

@Suite("reading canonical entries in place")
struct CanonicalEntryViewTests {
    static let sealed = SealedPayload(keyID: "0123456789abcdef0123456789abcdef", nonce: Array(repeating: 7, count: 24), ciphertext: [1, 2, 3, 250])
    static let actor = LedgerEntry.Actor(userID: "u-1", roles: ["clinician", "nurse"], sessionID: nil, authMethods: [], clientAddress: "10.0.0.1")

    static func entry(actor: LedgerEntry.Actor?, payload: LedgerEntry.Payload, subject: String? = "patient-1", action: String = "patient.read")
        -> LedgerEntry {
        LedgerEntry(
            chain: "main", seq: 42, prev: Array(repeating: 0xab, count: 32), id: "e-42", recordedAt: LedgerTimestamp(microsecondsSinceEpoch: 1_795_422_600_250_001),
            actor: actor, action: action, resource: .init(type: "patient", id: "p-1"), subject: subject, purposeOfUse: "TREAT",
            policyVersion: nil, requestID: "r-1", outcome: .denied, payload: payload)
    }

    /// What the general parser makes of `bytes`, without the view: the entry when they are its canonical form.
    static func reference(_ bytes: [UInt8]) -> LedgerEntry? {
        guard bytes.count <= LedgerEntry.maximumCanonicalBytes,
              let json = try? JSONParser.parse(bytes, limits: .init(maxBytes: LedgerEntry.maximumCanonicalBytes, maxDepth: 32)),
              let entry = try? LedgerEntry(json: json), entry.canonicalBytes() == bytes
        else { return nil }
        return entry
    }

    @Test("every shape the writer lays out reads back to the same entry; clear payloads and escapes go to the general parser")
    func agreesWithTheGeneralParser() throws {
        let cases: [(LedgerEntry, fast: Bool)] = [
            (Self.entry(actor: Self.actor, payload: .sealed(Self.sealed)), true),
            (Self.entry(actor: nil, payload: .none, subject: nil), true),
            (Self.entry(actor: Self.actor, payload: .none, action: "note.créer ✓"), true),
            (Self.entry(actor: Self.actor, payload: .clear(["patients": ["a", "b"]])), false),
            (Self.entry(actor: Self.actor, payload: .none, action: "quote\"d"), false),
        ]
        for (entry, fast) in cases {
            let bytes = entry.canonicalBytes()
            let view = CanonicalEntryView(bytes)
            #expect(fast ? view?.entry() == entry : view == nil, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try LedgerEntry(canonicalBytes: bytes) == entry)
        }
    }

    @Test("the members it locates are the entry's, also in a slice of a larger buffer")
    func locatesMembers() throws {
        let entry = Self.entry(actor: Self.actor, payload: .sealed(Self.sealed))
        let buffer = [UInt8](repeating: 0x41, count: 7) + entry.canonicalBytes() + [0x42]
        let view = try #require(CanonicalEntryView(buffer[7..<(buffer.count - 1)]))
        #expect(view.entry() == entry)
        #expect(String(decoding: view.chain, as: UTF8.self) == "main")
        #expect(String(decoding: view.action, as: UTF8.self) == "patient.read")
        #expect(view.actorUserID.map { String(decoding: $0, as: UTF8.self) } == "u-1")
        #expect(view.subject.map { String(decoding: $0, as: UTF8.self) } == "patient-1")
        #expect(view.seq == 42 && view.recordedAt == entry.recordedAt && view.outcome == .denied)
        #expect(view.prevEquals(entry.prev))
        #expect(!view.prevEquals(Array(repeating: 0xab, count: 31) + [0xac]))
        #expect(!view.prevEquals(Array(repeating: 0xab, count: 31)))

        let bare = try #require(CanonicalEntryView(Self.entry(actor: nil, payload: .none, subject: nil).canonicalBytes()))
        #expect(bare.actorUserID == nil && bare.subject == nil)
        let anonymous = try #require(CanonicalEntryView(Self.entry(actor: .init(userID: nil), payload: .none).canonicalBytes()))
        #expect(anonymous.actorUserID == nil)
    }

    @Test("random entries read back whole: arrays with commas, empty strings, non-ASCII text, every payload size")
    func randomEntries() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019,:[]{}-. é✓🩺".unicodeScalars)
        func text(_ maximum: Int = 12) -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...maximum, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        func maybe(_ value: @autoclosure () -> String) -> String? { Bool.random(using: &generator) ? value() : nil }
        for _ in 0..<300 {
            let actor = Bool.random(using: &generator) ? nil : LedgerEntry.Actor(
                userID: maybe(text()), roles: (0..<Int.random(in: 0...3, using: &generator)).map { _ in text() }, sessionID: maybe(text()),
                authMethods: (0..<Int.random(in: 0...2, using: &generator)).map { _ in text(4) }, clientAddress: maybe(text()))
            let payload: LedgerEntry.Payload = Bool.random(using: &generator) ? .none : .sealed(SealedPayload(
                keyID: text(), nonce: (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) },
                ciphertext: (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            let entry = LedgerEntry(
                chain: text(), seq: Int64.random(in: 1...(1 << 53), using: &generator), prev: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) },
                id: text(), recordedAt: LedgerTimestamp(microsecondsSinceEpoch: Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &generator)),
                actor: actor, action: text(), resource: Bool.random(using: &generator) ? nil : .init(type: text(), id: text()), subject: maybe(text()),
                purposeOfUse: maybe(text()), policyVersion: maybe(text()), requestID: maybe(text()),
                outcome: LedgerEntry.Outcome.allCases.randomElement(using: &generator)!, payload: payload)
            let bytes = entry.canonicalBytes()
            let view = try #require(CanonicalEntryView(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(view.entry() == entry)
            #expect(view.prevEquals(entry.prev))
            #expect(String(decoding: view.chain, as: UTF8.self) == entry.chain)
            #expect(view.actorUserID.map { String(decoding: $0, as: UTF8.self) } == entry.actor?.userID)
        }
    }

    /// Every single-byte replacement (from bytes that matter to the grammar), deletion and insertion.
    static func mutations(of bytes: [UInt8]) -> [[UInt8]] {
        let replacements = Array(#"019afAF=+/"\,:[]{} nulT-Z.x"#.utf8) + [0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xe2, 0xff]
        var out: [[UInt8]] = []
        for index in bytes.indices {
            for replacement in replacements where replacement != bytes[index] {
                var changed = bytes
                changed[index] = replacement
                out.append(changed)
            }
            var shorter = bytes
            shorter.remove(at: index)
            out.append(shorter)
            for inserted in [UInt8(ascii: " "), UInt8(ascii: "0"), UInt8(ascii: "a"), UInt8(ascii: "=")] {
                var longer = bytes
                longer.insert(inserted, at: index)
                out.append(longer)
            }
        }
        return out
    }

    @Test("what it accepts, the general parser accepts as the same entry; it misses only what is not its layout",
          arguments: [
              entry(actor: actor, payload: .sealed(sealed)),
              entry(actor: nil, payload: .none, subject: nil),
              entry(actor: .init(userID: "u", roles: ["a"], sessionID: "s", authMethods: ["pwd", "hwk"]), payload: .none, action: "é"),
          ])
    func exactOverEveryOneByteChange(_ entry: LedgerEntry) throws {
        var accepted = 0
        for bytes in Self.mutations(of: entry.canonicalBytes()) {
            let reference = Self.reference(bytes)
            if let view = CanonicalEntryView(bytes) {
                accepted += 1
                #expect(reference != nil && view.entry() == reference, "view accepted \(String(decoding: bytes, as: UTF8.self))")
            } else if let reference {
                // Read by the general parser only: its payload must be one the view leaves to it, or it holds an escape.
                let text = String(decoding: bytes, as: UTF8.self)
                let layout = if case .clear = reference.payload { false } else { !text.contains("\\") }
                #expect(!layout, "view refused canonical \(text)")
            }
        }
        // Digit and letter changes inside strings keep an entry valid; the check above saw them.
        #expect(accepted > 100)
    }

    @Test("bytes that are not the canonical layout, or break the format's rules, are refused either way")
    func refusals() throws {
        let bytes = Self.entry(actor: nil, payload: .sealed(Self.sealed)).canonicalBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        for (from, to) in [
            (#""version":1}"#, #""version":2}"#), (#""seq":42"#, #""seq":042"#), (#""seq":42"#, #""seq":0"#), (#""seq":42"#, #""seq": 42"#),
            (#""outcome":"denied""#, #""outcome":"refused""#), (#""alg":"XChaCha20-Poly1305""#, #""alg":"AES-GCM""#),
            (#""nonce":"BwcH"#, #""nonce":"!wcH"#), (#""chain":"main""#, #""chain":"ma\u0069n""#),
            // Base64 whose padding leaves bits set, and hex in capitals: they decode, but are not what the writer writes.
            (#""ciphertext":"AQID+g==""#, #""ciphertext":"AQID+h==""#), (#""prev":"abab"#, #""prev":"ABab"#),
            (#""recordedAt":"2026-11-23T"#, #""recordedAt":"2026-02-30T"#),
        ] {
            let changed = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(changed != bytes, "\(from) is not in the entry")
            #expect(CanonicalEntryView(changed) == nil, "\(to)")
            #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: changed) }
        }
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: bytes + [0x20]) }
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: Array(bytes.dropLast())) }
    }

    @Test("an entry longer than the format allows is refused, though laid out like any other")
    func tooLong() throws {
        let long = Self.entry(actor: nil, payload: .none, action: String(repeating: "a", count: LedgerEntry.maximumCanonicalBytes)).canonicalBytes()
        #expect(CanonicalEntryView(long) == nil)
        #expect(throws: LedgerFormatError.self) { try LedgerEntry(canonicalBytes: long) }
        let longest = Self.entry(actor: nil, payload: .none, action: "").canonicalBytes()
        let fits = Self.entry(actor: nil, payload: .none, action: String(repeating: "a", count: LedgerEntry.maximumCanonicalBytes - longest.count)).canonicalBytes()
        #expect(fits.count == LedgerEntry.maximumCanonicalBytes)
        #expect(CanonicalEntryView(fits) != nil)
    }
}
