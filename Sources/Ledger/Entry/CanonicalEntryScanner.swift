import Foundation

/// Where an entry's members lie in its canonical bytes, counted from their start. String members are the bytes between their quotes;
/// string arrays include their brackets. Nil is a JSON null.
struct CanonicalEntryRanges: Sendable {
    struct Actor: Sendable {
        var authMethods: Range<Int>
        var clientAddress: Range<Int>?
        var roles: Range<Int>
        var sessionID: Range<Int>?
        var userID: Range<Int>?
    }

    struct Resource: Sendable {
        var id: Range<Int>
        var type: Range<Int>
    }

    struct Sealed: Sendable {
        var ciphertext: Range<Int>
        var keyID: Range<Int>
        var nonce: Range<Int>
    }

    var action: Range<Int>
    var actor: Actor?
    var chain: Range<Int>
    var id: Range<Int>
    var sealed: Sealed?
    var policyVersion: Range<Int>?
    var prev: Range<Int>
    var purposeOfUse: Range<Int>?
    var requestID: Range<Int>?
    var resource: Resource?
    var subject: Range<Int>?
}

/// Checks bytes against the layout `LedgerEntry.canonicalBytes()` writes, member by member, and against every
/// rule that makes a value's spelling the only one: strings without escapes that are valid UTF-8 (what JCS
/// leaves unescaped), lowercase hex, canonical base64, integers without leading zeros, the one timestamp form.
/// It allocates nothing, except to validate a string that is not ASCII.
struct CanonicalEntryScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func scan() -> (CanonicalEntryRanges, seq: Int64, recordedAt: LedgerTimestamp, outcome: LedgerEntry.Outcome)? {
        guard expect(#"{"action":"#), let action = string(),
              expect(#","actor":"#), let actor = self.actor(),
              expect(#","chain":"#), let chain = string(),
              expect(#","id":"#), let id = string(),
              expect(#","outcome":"#), let outcome = self.outcome(),
              expect(#","payload":"#), let sealed = self.payload(),
              expect(#","policyVersion":"#), let policyVersion = optionalString(),
              expect(#","prev":"#), let prev = string(), isLowercaseHex(prev, count: 64),
              expect(#","purposeOfUse":"#), let purposeOfUse = optionalString(),
              expect(#","recordedAt":"#), let time = string(),
              let recordedAt = LedgerTimestamp(parsingUTF8: UnsafeBufferPointer(rebasing: bytes[time])),
              expect(#","requestId":"#), let requestID = optionalString(),
              expect(#","resource":"#), let resource = self.resource(),
              expect(#","seq":"#), let seq = integer(), seq >= 1,
              expect(#","subject":"#), let subject = optionalString(),
              expect(#","version":"#), let version = integer(), version == Int64(LedgerFormat.version),
              expect("}"), index == bytes.count
        else { return nil }
        let ranges = CanonicalEntryRanges(
            action: action, actor: actor, chain: chain, id: id, sealed: sealed, policyVersion: policyVersion, prev: prev,
            purposeOfUse: purposeOfUse, requestID: requestID, resource: resource, subject: subject)
        return (ranges, seq, recordedAt, outcome)
    }

    private mutating func expect(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
              literal.withUTF8Buffer({ memcmp(bytes.baseAddress! + index, $0.baseAddress!, count) == 0 })
        else { return false }
        index += count
        return true
    }

    /// A string with no byte JCS would escape (`"`, `\`, C0 controls) and valid UTF-8: the range between its
    /// quotes.
    private mutating func string() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        var ascii = true
        let found: Bool = ByteClass.inString.withUnsafeBufferPointer { classes in
            while end < bytes.count {
                switch classes[Int(bytes[end])] {
                case ByteClass.plain: end += 1
                case ByteClass.nonASCII: ascii = false; end += 1
                case ByteClass.quote: return true
                default: return false
                }
            }
            return false
        }
        guard found else { return nil }
        if !ascii, String(validating: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) == nil { return nil }
        index = end + 1
        return start..<end
    }

    /// `null` or a string. Failure is `.none`; a JSON null is `.some(nil)`.
    private mutating func optionalString() -> Range<Int>?? {
        if expect("null") { return .some(nil) }
        guard let range = string() else { return nil }
        return .some(range)
    }

    /// `[]` or strings separated by commas: the range from bracket to bracket.
    private mutating func strings() -> Range<Int>? {
        let start = index
        guard expect("[") else { return nil }
        if !expect("]") {
            repeat {
                guard string() != nil else { return nil }
            } while expect(",")
            guard expect("]") else { return nil }
        }
        return start..<index
    }

    /// Digits without a sign or leading zero: how a canonical integer below 2^53 is written.
    private mutating func integer() -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), index - start < 16 {
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start, bytes[start] != UInt8(ascii: "0") || index == start + 1 else { return nil }
        return value
    }

    private mutating func outcome() -> LedgerEntry.Outcome? {
        if expect(#""success""#) { return .success }
        if expect(#""denied""#) { return .denied }
        if expect(#""failure""#) { return .failure }
        return nil
    }

    private mutating func actor() -> CanonicalEntryRanges.Actor?? {
        if expect("null") { return .some(nil) }
        guard expect(#"{"authMethods":"#), let methods = strings(),
              expect(#","clientAddress":"#), let address = optionalString(),
              expect(#","roles":"#), let roles = strings(),
              expect(#","sessionId":"#), let session = optionalString(),
              expect(#","userId":"#), let user = optionalString(),
              expect("}")
        else { return nil }
        return .some(CanonicalEntryRanges.Actor(authMethods: methods, clientAddress: address, roles: roles, sessionID: session, userID: user))
    }

    private mutating func resource() -> CanonicalEntryRanges.Resource?? {
        if expect("null") { return .some(nil) }
        guard expect(#"{"id":"#), let id = string(), expect(#","type":"#), let type = string(), expect("}") else { return nil }
        return .some(CanonicalEntryRanges.Resource(id: id, type: type))
    }

    /// `null`, or a sealed payload; a clear payload is left to the general parser.
    private mutating func payload() -> CanonicalEntryRanges.Sealed?? {
        if expect("null") { return .some(nil) }
        guard expect(#"{"sealed":{"alg":"#), let algorithm = string(), bytes[algorithm].elementsEqual(SealedPayload.algorithm.utf8),
              expect(#","ciphertext":"#), let ciphertext = string(), isCanonicalBase64(ciphertext),
              expect(#","keyId":"#), let keyID = string(),
              expect(#","nonce":"#), let nonce = string(), isCanonicalBase64(nonce),
              expect("}}")
        else { return nil }
        return .some(CanonicalEntryRanges.Sealed(ciphertext: ciphertext, keyID: keyID, nonce: nonce))
    }

    private func isLowercaseHex(_ range: Range<Int>, count: Int) -> Bool {
        range.count == count && bytes[range].allSatisfy { Hex.isLowercaseDigit($0) }
    }

    /// What standard base64 with padding writes for some bytes, and nothing else: whole quads of the alphabet,
    /// `=` only as the last one or two characters, and the bits the padding leaves over all zero.
    private func isCanonicalBase64(_ range: Range<Int>) -> Bool {
        guard range.count % 4 == 0 else { return false }
        guard !range.isEmpty else { return true }
        let padding = bytes[range.upperBound - 1] != UInt8(ascii: "=") ? 0 : bytes[range.upperBound - 2] != UInt8(ascii: "=") ? 1 : 2
        let digits = range.lowerBound..<(range.upperBound - padding)
        let allDigits = ByteClass.base64.withUnsafeBufferPointer { values in
            bytes[digits].allSatisfy { values[Int($0)] != ByteClass.notBase64 }
        }
        guard allDigits else { return false }
        let last = ByteClass.base64[Int(bytes[digits.upperBound - 1])]
        switch padding {
        case 1: return last & 0b11 == 0
        case 2: return last & 0b1111 == 0
        default: return true
        }
    }
}

/// Byte lookups for the scanner's inner loops: one load per byte rather than a chain of comparisons.
private enum ByteClass {
    static let plain: UInt8 = 0
    static let quote: UInt8 = 1
    static let escapedByJCS: UInt8 = 2
    static let nonASCII: UInt8 = 3

    /// What each byte is inside a JSON string.
    static let inString: [UInt8] = (0...255).map { byte in
        switch byte {
        case 0x22: quote
        case 0x5c, 0..<0x20: escapedByJCS
        case 0x80...: nonASCII
        default: plain
        }
    }

    static let notBase64: UInt8 = 0xff

    /// Each byte's value as a digit of the standard base64 alphabet (RFC 4648 §4), or `notBase64`.
    static let base64: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(byte) - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(byte) - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: notBase64
        }
    }
}
