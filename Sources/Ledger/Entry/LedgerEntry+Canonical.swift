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
            JCS.writeString(Data(sealed.ciphertext).base64EncodedString(), into: &out)
            out.append(contentsOf: #","keyId":"#.utf8)
            JCS.writeString(sealed.keyID, into: &out)
            out.append(contentsOf: #","nonce":"#.utf8)
            JCS.writeString(Data(sealed.nonce).base64EncodedString(), into: &out)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: #","policyVersion":"#.utf8)
        Self.writeOptional(policyVersion, into: &out)
        out.append(contentsOf: #","prev":""#.utf8)
        out.append(contentsOf: Hex.encode(prev).utf8)
        out.append(contentsOf: #"","purposeOfUse":"#.utf8)
        Self.writeOptional(purposeOfUse, into: &out)
        out.append(contentsOf: #","recordedAt":""#.utf8)
        out.append(contentsOf: recordedAt.description.utf8)
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
        out.append(contentsOf: String(seq).utf8)  // an integer below 2^53 prints as its digits in ECMAScript
        out.append(contentsOf: #","subject":"#.utf8)
        Self.writeOptional(subject, into: &out)
        out.append(contentsOf: #","version":"#.utf8)
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
        return out
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
