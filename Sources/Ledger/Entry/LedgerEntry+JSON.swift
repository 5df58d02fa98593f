import Foundation

/// The entry's JSON form. Every field is always present (null when absent), so a reader never has to guess
/// whether a missing key and a null differ. Hashes are lowercase hex; binary payload fields are base64.
extension LedgerEntry {
    /// The JSON object whose RFC 8785 canonical form is hashed.
    public var jsonValue: JSONValue {
        [
            "version": .number(Double(version)),
            "chain": .string(chain),
            "seq": .number(Double(seq)),
            "prev": .string(Hex.encode(prev)),
            "id": .string(id),
            "recordedAt": .string(recordedAt.description),
            "actor": actor.map { actor in
                .object([
                    "userId": actor.userID.map(JSONValue.string) ?? .null,
                    "roles": .array(actor.roles.map(JSONValue.string)),
                    "sessionId": actor.sessionID.map(JSONValue.string) ?? .null,
                    "authMethods": .array(actor.authMethods.map(JSONValue.string)),
                    "clientAddress": actor.clientAddress.map(JSONValue.string) ?? .null,
                ])
            } ?? .null,
            "action": .string(action),
            "resource": resource.map { .object(["type": .string($0.type), "id": .string($0.id)]) } ?? .null,
            "subject": subject.map(JSONValue.string) ?? .null,
            "purposeOfUse": purposeOfUse.map(JSONValue.string) ?? .null,
            "policyVersion": policyVersion.map(JSONValue.string) ?? .null,
            "requestId": requestID.map(JSONValue.string) ?? .null,
            "outcome": .string(outcome.rawValue),
            "payload": payload.jsonValue,
        ]
    }

    /// Reads an entry back from its JSON, strictly: unknown, missing or mistyped fields are errors.
    public init(json: JSONValue) throws(LedgerFormatError) {
        guard case .object(let fields) = json else { throw .invalid("entry is not a JSON object") }
        let expected: Set<String> = [
            "version", "chain", "seq", "prev", "id", "recordedAt", "actor", "action", "resource", "subject",
            "purposeOfUse", "policyVersion", "requestId", "outcome", "payload",
        ]
        guard Set(fields.keys) == expected else {
            let extra = Set(fields.keys).subtracting(expected).sorted()
            let missing = expected.subtracting(fields.keys).sorted()
            throw .invalid("entry fields differ from format \(LedgerFormat.version): extra \(extra), missing \(missing)")
        }
        let reader = FieldReader(fields: fields, context: "entry")
        self.version = Int(try reader.integer("version"))
        guard version == LedgerFormat.version else { throw .invalid("unsupported entry version \(version)") }
        self.chain = try reader.string("chain")
        self.seq = try reader.integer("seq")
        guard seq >= 1 else { throw .invalid("seq must be at least 1") }
        guard let prev = Hex.decode(try reader.string("prev")), prev.count == 32 else { throw .invalid("prev must be 64 hex digits") }
        self.prev = prev
        self.id = try reader.string("id")
        guard let recordedAt = LedgerTimestamp(parsing: try reader.string("recordedAt")) else {
            throw .invalid("recordedAt must be YYYY-MM-DDTHH:MM:SS.ffffffZ")
        }
        self.recordedAt = recordedAt
        if let actorFields = try reader.optionalObject("actor") {
            let actorReader = FieldReader(fields: actorFields, context: "actor")
            try actorReader.requireExactly(["userId", "roles", "sessionId", "authMethods", "clientAddress"])
            self.actor = Actor(
                userID: try actorReader.optionalString("userId"),
                roles: try actorReader.strings("roles"),
                sessionID: try actorReader.optionalString("sessionId"),
                authMethods: try actorReader.strings("authMethods"),
                clientAddress: try actorReader.optionalString("clientAddress"))
        } else {
            self.actor = nil
        }
        self.action = try reader.string("action")
        if let resourceFields = try reader.optionalObject("resource") {
            let resourceReader = FieldReader(fields: resourceFields, context: "resource")
            try resourceReader.requireExactly(["type", "id"])
            self.resource = ResourceReference(type: try resourceReader.string("type"), id: try resourceReader.string("id"))
        } else {
            self.resource = nil
        }
        self.subject = try reader.optionalString("subject")
        self.purposeOfUse = try reader.optionalString("purposeOfUse")
        self.policyVersion = try reader.optionalString("policyVersion")
        self.requestID = try reader.optionalString("requestId")
        guard let outcome = Outcome(rawValue: try reader.string("outcome")) else { throw .invalid("unknown outcome") }
        self.outcome = outcome
        self.payload = try Payload(json: fields["payload"]!)
    }

    /// The longest canonical bytes an entry may have.
    public static let maximumCanonicalBytes = 1 << 20

    /// Parses canonical bytes and insists they are canonical: the same entry has exactly one valid encoding.
    public init(canonicalBytes bytes: [UInt8]) throws(LedgerFormatError) {
        // Most entries are read without a JSON tree. The view admits only canonical bytes; writing the entry
        // back and comparing costs little here, and keeps this reading exact by construction as well.
        if let entry = CanonicalEntryView(bytes)?.entry(), entry.canonicalBytes() == bytes {
            self = entry
            return
        }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes, limits: .init(maxBytes: Self.maximumCanonicalBytes, maxDepth: 32)) } catch {
            throw .invalid(error.description)
        }
        try self.init(json: json)
        guard canonicalBytes() == bytes else { throw .invalid("entry bytes are not in canonical form") }
    }
}

extension LedgerEntry.Payload {
    var jsonValue: JSONValue {
        switch self {
        case .none: return .null
        case .clear(let value): return ["clear": value]
        case .sealed(let sealed):
            return [
                "sealed": [
                    "alg": .string(SealedPayload.algorithm),
                    "keyId": .string(sealed.keyID),
                    "nonce": .string(Data(sealed.nonce).base64EncodedString()),
                    "ciphertext": .string(Data(sealed.ciphertext).base64EncodedString()),
                ]
            ]
        }
    }

    init(json: JSONValue) throws(LedgerFormatError) {
        switch json {
        case .null:
            self = .none
        case .object(let fields) where fields.count == 1 && fields["clear"] != nil:
            self = .clear(fields["clear"]!)
        case .object(let fields) where fields.count == 1 && fields["sealed"] != nil:
            guard case .object(let sealedFields) = fields["sealed"]! else { throw .invalid("payload.sealed must be an object") }
            let reader = FieldReader(fields: sealedFields, context: "payload.sealed")
            try reader.requireExactly(["alg", "keyId", "nonce", "ciphertext"])
            guard try reader.string("alg") == SealedPayload.algorithm else { throw .invalid("unsupported payload algorithm") }
            guard let nonce = Data(base64Encoded: try reader.string("nonce")),
                  let ciphertext = Data(base64Encoded: try reader.string("ciphertext"))
            else { throw .invalid("payload nonce and ciphertext must be base64") }
            self = .sealed(SealedPayload(keyID: try reader.string("keyId"), nonce: [UInt8](nonce), ciphertext: [UInt8](ciphertext)))
        default:
            throw .invalid("payload must be null, {\"clear\": …} or {\"sealed\": …}")
        }
    }
}

/// Typed access to the members of a JSON object, with errors that name the field.
struct FieldReader {
    let fields: [String: JSONValue]
    let context: String

    func requireExactly(_ names: Set<String>) throws(LedgerFormatError) {
        guard Set(fields.keys) == names else { throw .invalid("\(context) must have exactly the fields \(names.sorted())") }
    }

    func string(_ name: String) throws(LedgerFormatError) -> String {
        guard case .string(let value)? = fields[name] else { throw .invalid("\(context).\(name) must be a string") }
        return value
    }

    func optionalString(_ name: String) throws(LedgerFormatError) -> String? {
        switch fields[name] {
        case .null?: return nil
        case .string(let value)?: return value
        default: throw .invalid("\(context).\(name) must be a string or null")
        }
    }

    func integer(_ name: String) throws(LedgerFormatError) -> Int64 {
        guard let value = fields[name]?.integerValue else { throw .invalid("\(context).\(name) must be an integer") }
        return value
    }

    func strings(_ name: String) throws(LedgerFormatError) -> [String] {
        guard case .array(let values)? = fields[name] else { throw .invalid("\(context).\(name) must be an array") }
        var result: [String] = []
        for value in values {
            guard case .string(let text) = value else { throw .invalid("\(context).\(name) must hold strings") }
            result.append(text)
        }
        return result
    }

    func optionalObject(_ name: String) throws(LedgerFormatError) -> [String: JSONValue]? {
        switch fields[name] {
        case .null?: return nil
        case .object(let value)?: return value
        default: throw .invalid("\(context).\(name) must be an object or null")
        }
    }
}

/// An entry, checkpoint or proof that does not follow the documented format.
public enum LedgerFormatError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let why): why
        }
    }
}
