import Foundation

/// Reads an entry from bytes laid out exactly as `LedgerEntry.canonicalBytes()` writes them (members in their
/// fixed sorted order, strings without escapes, a null or sealed payload), without building a JSON tree: the
/// verifier reads every entry of a chain, and the tree costs more than the checks. Anything laid out otherwise
/// (a clear payload, an escape, a surprise) gives nil, and the caller uses the general parser. It trusts the
/// layout, not the content: the caller must re-encode what it returns and compare with the bytes, which is what
/// makes the result exact. It applies the same rules as `LedgerEntry(json:)` to the values it reads.
struct CanonicalEntryReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func read() -> LedgerEntry? {
        guard expect(#"{"action":"#), let action = string(),
              expect(#","actor":"#), let actor = self.actor(),
              expect(#","chain":"#), let chain = string(),
              expect(#","id":"#), let id = string(),
              expect(#","outcome":"#), let outcomeText = string(), let outcome = LedgerEntry.Outcome(rawValue: outcomeText),
              expect(#","payload":"#), let payload = self.payload(),
              expect(#","policyVersion":"#), let policyVersion = optionalString(),
              expect(#","prev":"#), let prevText = string(), let prev = Hex.decode(prevText), prev.count == 32,
              expect(#","purposeOfUse":"#), let purposeOfUse = optionalString(),
              expect(#","recordedAt":"#), let timeText = string(), let recordedAt = LedgerTimestamp(parsing: timeText),
              expect(#","requestId":"#), let requestID = optionalString(),
              expect(#","resource":"#), let resource = self.resource(),
              expect(#","seq":"#), let seq = integer(), seq >= 1,
              expect(#","subject":"#), let subject = optionalString(),
              expect(#","version":"#), let version = integer(), version == Int64(LedgerFormat.version),
              expect("}"), index == bytes.count
        else { return nil }
        return LedgerEntry(
            version: Int(version), chain: chain, seq: seq, prev: prev, id: id, recordedAt: recordedAt, actor: actor, action: action,
            resource: resource, subject: subject, purposeOfUse: purposeOfUse, policyVersion: policyVersion, requestID: requestID,
            outcome: outcome, payload: payload)
    }

    private mutating func expect(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            bytes.withUnsafeBufferPointer { buffer in
                memcmp(buffer.baseAddress! + index, expected.baseAddress!, count) == 0
            }
        }
        if matches { index += count }
        return matches
    }

    /// A string without escapes, as valid UTF-8.
    private mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        index = end + 1
        return bytes.withUnsafeBufferPointer { buffer in
            String(validating: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }

    /// `null` or a string; nil (as failure) is `.none`, a JSON null is `.some(nil)`.
    private mutating func optionalString() -> String?? {
        if expect("null") { return .some(nil) }
        guard let text = string() else { return nil }
        return .some(text)
    }

    private mutating func strings() -> [String]? {
        guard expect("[") else { return nil }
        var values: [String] = []
        if expect("]") { return values }
        repeat {
            guard let value = string() else { return nil }
            values.append(value)
        } while expect(",")
        return expect("]") ? values : nil
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

    private mutating func actor() -> LedgerEntry.Actor?? {
        if expect("null") { return .some(nil) }
        guard expect(#"{"authMethods":"#), let methods = strings(),
              expect(#","clientAddress":"#), let address = optionalString(),
              expect(#","roles":"#), let roles = strings(),
              expect(#","sessionId":"#), let session = optionalString(),
              expect(#","userId":"#), let user = optionalString(),
              expect("}")
        else { return nil }
        return .some(LedgerEntry.Actor(userID: user, roles: roles, sessionID: session, authMethods: methods, clientAddress: address))
    }

    private mutating func resource() -> LedgerEntry.ResourceReference?? {
        if expect("null") { return .some(nil) }
        guard expect(#"{"id":"#), let id = string(), expect(#","type":"#), let type = string(), expect("}") else { return nil }
        return .some(LedgerEntry.ResourceReference(type: type, id: id))
    }

    private mutating func payload() -> LedgerEntry.Payload? {
        if expect("null") { return LedgerEntry.Payload.none }
        guard expect(#"{"sealed":{"alg":"#), let algorithm = string(), algorithm == SealedPayload.algorithm,
              expect(#","ciphertext":"#), let ciphertextText = string(), let ciphertext = Data(base64Encoded: ciphertextText),
              expect(#","keyId":"#), let keyID = string(),
              expect(#","nonce":"#), let nonceText = string(), let nonce = Data(base64Encoded: nonceText),
              expect("}}")
        else { return nil }
        return .sealed(SealedPayload(keyID: keyID, nonce: [UInt8](nonce), ciphertext: [UInt8](ciphertext)))
    }
}
