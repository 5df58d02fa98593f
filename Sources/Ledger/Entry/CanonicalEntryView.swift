import Foundation

/// An entry's bytes, checked to be exactly what `LedgerEntry.canonicalBytes()` writes for some entry, with its
/// members located in place rather than copied out. A verifier reads every entry of a chain; building each one
/// (a dozen strings and arrays) and writing it back to compare costs more than the rest of its checks, so it
/// reads this instead and builds the entry only when it needs one.
///
/// It covers the layout nearly every entry has: a null or sealed payload, and strings without escapes. Anything
/// else (a clear payload, an escape, bytes that are not canonical) gives nil; `LedgerEntry(canonicalBytes:)` then
/// decides. What it accepts, that initialiser accepts too and reads as the same entry (a test checks this over
/// every single-byte change of several entries).
public struct CanonicalEntryView: Sendable {
    /// The bytes read.
    public let bytes: ArraySlice<UInt8>
    public let seq: Int64
    public let recordedAt: LedgerTimestamp
    public let outcome: LedgerEntry.Outcome
    /// Where the members lie, counted from the start of `bytes`.
    let ranges: CanonicalEntryRanges

    /// Nil unless `bytes` are an entry's canonical bytes in the common layout.
    public init?(_ bytes: ArraySlice<UInt8>) {
        // The same bound as `LedgerEntry(canonicalBytes:)`, so that the two accept the same bytes.
        guard bytes.count <= LedgerEntry.maximumCanonicalBytes else { return nil }
        let scanned = bytes.withUnsafeBufferPointer { buffer -> (CanonicalEntryRanges, Int64, LedgerTimestamp, LedgerEntry.Outcome)? in
            var scanner = CanonicalEntryScanner(buffer)
            return scanner.scan()
        }
        guard let (ranges, seq, recordedAt, outcome) = scanned else { return nil }
        self.bytes = bytes
        self.ranges = ranges
        self.seq = seq
        self.recordedAt = recordedAt
        self.outcome = outcome
    }

    public init?(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// The UTF-8 of the `chain` member.
    public var chain: ArraySlice<UInt8> { slice(ranges.chain) }
    /// The UTF-8 of the `action` member.
    public var action: ArraySlice<UInt8> { slice(ranges.action) }
    /// The UTF-8 of the actor's `userId`; nil when there is no actor or it has no user.
    public var actorUserID: ArraySlice<UInt8>? { ranges.actor?.userID.map(slice) }
    /// The UTF-8 of the `subject` member; nil when it is null.
    public var subject: ArraySlice<UInt8>? { ranges.subject.map(slice) }

    /// The `prev` member, decoded.
    public var prev: [UInt8] { Hex.decode(String(decoding: slice(ranges.prev), as: UTF8.self)) ?? [] }

    /// Whether `prev` is the lowercase hex of `hash`.
    public func prevEquals(_ hash: [UInt8]) -> Bool {
        let hex = slice(ranges.prev)
        guard hash.count * 2 == hex.count else { return false }
        var index = hex.startIndex
        for byte in hash {
            guard hex[index] == Hex.digit(byte >> 4), hex[index + 1] == Hex.digit(byte & 0x0f) else { return false }
            index += 2
        }
        return true
    }

    /// The entry the bytes encode.
    public func entry() -> LedgerEntry {
        func text(_ range: Range<Int>) -> String { String(decoding: slice(range), as: UTF8.self) }
        func texts(_ range: Range<Int>) -> [String] {
            // A checked array of strings without escapes: each string ends at the next quote.
            let array = slice(range)
            var values: [String] = []
            var index = array.startIndex + 1
            while array[index] == UInt8(ascii: "\"") {
                let end = array[(index + 1)...].firstIndex(of: UInt8(ascii: "\""))!
                values.append(String(decoding: array[(index + 1)..<end], as: UTF8.self))
                index = end + 1
                if array[index] == UInt8(ascii: ",") { index += 1 }
            }
            return values
        }
        let actor = ranges.actor.map { actor in
            LedgerEntry.Actor(
                userID: actor.userID.map(text), roles: texts(actor.roles), sessionID: actor.sessionID.map(text),
                authMethods: texts(actor.authMethods), clientAddress: actor.clientAddress.map(text))
        }
        let payload: LedgerEntry.Payload = ranges.sealed.map { sealed in
            .sealed(SealedPayload(
                keyID: text(sealed.keyID),
                nonce: [UInt8](Data(base64Encoded: Data(slice(sealed.nonce))) ?? Data()),
                ciphertext: [UInt8](Data(base64Encoded: Data(slice(sealed.ciphertext))) ?? Data())))
        } ?? .none
        return LedgerEntry(
            version: LedgerFormat.version, chain: text(ranges.chain), seq: seq, prev: prev, id: text(ranges.id),
            recordedAt: recordedAt, actor: actor, action: text(ranges.action),
            resource: ranges.resource.map { LedgerEntry.ResourceReference(type: text($0.type), id: text($0.id)) },
            subject: ranges.subject.map(text), purposeOfUse: ranges.purposeOfUse.map(text), policyVersion: ranges.policyVersion.map(text),
            requestID: ranges.requestID.map(text), outcome: outcome, payload: payload)
    }

    /// The bytes at `range`, counted from the start of `bytes`.
    private func slice(_ range: Range<Int>) -> ArraySlice<UInt8> {
        bytes[(bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)]
    }
}
