import Foundation

/// A direct writer of an entry's canonical bytes. It emits exactly what `JCS.canonicalize(jsonValue)` emits
/// (a test checks this on many entries) without building and sorting dictionaries: entry members are fixed, so
/// their sorted order is written out below. The writer spends most of its CPU here, once per entry.
extension LedgerEntry {
    /// The canonical bytes (RFC 8785).
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(640)
        // Members in UTF-16 order: action, actor, chain, id, outcome, payload, policyVersion, prev, purposeOfUse,
        // recordedAt, requestId, resource, seq, subject, version.
        out.append(contentsOf: #"{"action":"#.utf8)
        JCS.writeString(action, into: &out)
        out.append(contentsOf: #","actor":"#.utf8)
        if let actor {
            out.append(contentsOf: #"{"authMethods":"#.utf8)
            Self.writeStrings(actor.authMethods, into: &out)
            out.append(contentsOf: #","clientAddress":"#.utf8)
            Self.writeOptional(actor.clientAddress, into: &out)
            out.append(contentsOf: #","roles":"#.utf8)
            Self.writeStrings(actor.roles, into: &out)
            out.append(contentsOf: #","sessionId":"#.utf8)
            Self.writeOptional(actor.sessionID, into: &out)
            out.append(contentsOf: #","userId":"#.utf8)
            Self.writeOptional(actor.userID, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","chain":"#.utf8)
        JCS.writeString(chain, into: &out)
        out.append(contentsOf: #","id":"#.utf8)
        JCS.writeString(id, into: &out)
        out.append(contentsOf: #","outcome":"#.utf8)
        JCS.writeString(outcome.rawValue, into: &out)
        out.append(contentsOf: #","payload":"#.utf8)
        switch payload {
        case .none:
            out.append(contentsOf: "null".utf8)
        case .clear(let value):
            out.append(contentsOf: #"{"clear":"#.utf8)
            // A clear payload that holds NaN or Infinity cannot be built through the API; fail loudly if it is.
            try! JCS.write(value, into: &out)
            out.append(UInt8(ascii: "}"))
        case .sealed(let sealed):
            out.append(contentsOf: #"{"sealed":{"alg":"#.utf8)
            JCS.writeString(SealedPayload.algorithm, into: &out)
            out.append(contentsOf: #","ciphertext":"#.utf8)
            Self.writeBase64(sealed.ciphertext, into: &out)
            out.append(contentsOf: #","keyId":"#.utf8)
            JCS.writeString(sealed.keyID, into: &out)
            out.append(contentsOf: #","nonce":"#.utf8)
            Self.writeBase64(sealed.nonce, into: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: #","policyVersion":"#.utf8)
        Self.writeOptional(policyVersion, into: &out)
        out.append(contentsOf: #","prev":""#.utf8)
        Hex.append(prev, to: &out)
        out.append(contentsOf: #"","purposeOfUse":"#.utf8)
        Self.writeOptional(purposeOfUse, into: &out)
        out.append(contentsOf: #","recordedAt":""#.utf8)
        recordedAt.write(into: &out)
        out.append(contentsOf: #"","requestId":"#.utf8)
        Self.writeOptional(requestID, into: &out)
        out.append(contentsOf: #","resource":"#.utf8)
        if let resource {
            out.append(contentsOf: #"{"id":"#.utf8)
            JCS.writeString(resource.id, into: &out)
            out.append(contentsOf: #","type":"#.utf8)
            JCS.writeString(resource.type, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","seq":"#.utf8)
        Self.writeInteger(seq, into: &out)  // an integer below 2^53 prints as its digits in ECMAScript
        out.append(contentsOf: #","subject":"#.utf8)
        Self.writeOptional(subject, into: &out)
        out.append(contentsOf: #","version":"#.utf8)
        Self.writeInteger(Int64(version), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A base64 string needs no escape: its quotes and text are written as they are.
    private static func writeBase64(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        Base64.append(bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    private static func writeOptional(_ value: String?, into out: inout [UInt8]) {
        if let value { JCS.writeString(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    private static func writeStrings(_ values: [String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JCS.writeString(value, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
