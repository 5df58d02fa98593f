import Ledger

/// A ledger entry as a FHIR R4 AuditEvent, for SIEMs that take them as NDJSON (one resource per line). Codes
/// come from the value sets R4 binds: audit-event-type and DICOM for the event type, v3-ActReason for the
/// purpose of use, the AuditEventOutcome codes, and audit-entity-type / object-role for the patient. The
/// ledger's own action name is the subtype, and the chain and seq identify the entry, so that a SIEM event can
/// be traced back to the signed entry. Only ids are carried, never PHI.
enum FHIRAuditEvent {
    static let actionSystem = "urn:phi-ledger:action"

    static func make(_ entry: LedgerEntry, people: [String: String]) -> JSONValue {
        var event: [String: JSONValue] = [
            "resourceType": "AuditEvent",
            "id": .string(entry.id),
            "type": coding(eventType(entry.action)),
            "subtype": [coding((actionSystem, entry.action, nil))],
            "action": .string(crud(entry.action)),
            "recorded": .string(entry.recordedAt.description),
            "outcome": .string(outcome(entry.outcome)),
            "agent": [agent(entry, people: people)],
            "source": [
                "site": .string(entry.chain),
                "observer": ["display": "phi-ledger gateway"],
                "type": [coding(("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"))],
            ],
            "entity": .array(entities(entry)),
        ]
        if entry.outcome == .denied { event["outcomeDesc"] = "refused by the access policy" }
        if let purpose = entry.purposeOfUse {
            event["purposeOfEvent"] = [["coding": [coding(("http://terminology.hl7.org/CodeSystem/v3-ActReason", purpose, nil))]]]
        }
        return .object(event)
    }

    /// One NDJSON line: the event's canonical JSON and a newline.
    static func line(_ entry: LedgerEntry, people: [String: String]) -> [UInt8] {
        ((try? JCS.canonicalize(make(entry, people: people))) ?? []) + [UInt8(ascii: "\n")]
    }

    private static func eventType(_ action: String) -> (String, String, String) {
        if action.hasPrefix("auth.") || action.hasPrefix("passkey.") {
            return ("http://dicom.nema.org/resources/ontology/DCM", "110114", "User Authentication")
        }
        if action.hasPrefix("user.") || action == "policy.activate" || action == KeyRotation.action {
            return ("http://dicom.nema.org/resources/ontology/DCM", "110136", "Security Roles Changed")
        }
        return ("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation")
    }

    /// AuditEventAction: C, R, U, D or E (execute, for everything else).
    static func crud(_ action: String) -> String {
        let verb = action.split(separator: ".").last.map(String.init) ?? ""
        switch verb {
        case "create", "open", "invite", "register": return "C"
        case "read", "list", "history": return "R"
        case "update", "amend", "add", "remove", "archive", "change", "enable", "disable", "enroll": return "U"
        case "shred": return "D"
        default: return "E"
        }
    }

    /// AuditEventOutcome: 0 success, 4 minor failure (refused), 8 serious failure.
    private static func outcome(_ outcome: LedgerEntry.Outcome) -> String {
        switch outcome {
        case .success: "0"
        case .denied: "4"
        case .failure: "8"
        }
    }

    private static func agent(_ entry: LedgerEntry, people: [String: String]) -> JSONValue {
        guard let actor = entry.actor, actor.userID != nil || actor.clientAddress != nil else {
            return ["who": ["display": "phi-ledger gateway"], "requestor": false]
        }
        var who: [String: JSONValue] = [:]
        if let user = actor.userID {
            who["identifier"] = ["system": "urn:phi-ledger:user", "value": .string(user)]
            if let name = people[user] { who["display"] = .string(name) }
        } else {
            who["display"] = "unknown account"
        }
        var agent: [String: JSONValue] = [
            "type": ["coding": [coding(("http://terminology.hl7.org/CodeSystem/extra-security-role-type", "humanuser", "human user"))]],
            "who": .object(who),
            "requestor": true,
        ]
        if !actor.roles.isEmpty { agent["role"] = .array(actor.roles.map { ["text": .string($0)] }) }
        if let address = actor.clientAddress { agent["network"] = ["address": .string(address), "type": "2"] }
        return .object(agent)
    }

    private static func entities(_ entry: LedgerEntry) -> [JSONValue] {
        var entities: [JSONValue] = AccessLogRow.expected(for: entry).map { row in
            [
                "what": ["reference": .string("Patient/\(row.patientID)")],
                "type": coding(("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person")),
                "role": coding(("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")),
            ]
        }
        if let resource = entry.resource {
            entities.append([
                "what": ["identifier": ["system": .string("urn:phi-ledger:\(resource.type)"), "value": .string(resource.id)]],
                "type": coding(("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object")),
            ])
        }
        entities.append([
            "what": ["identifier": ["system": .string("urn:phi-ledger:chain:\(entry.chain)"), "value": .string(String(entry.seq))]],
            "type": coding(("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object")),
            "name": "ledger entry",
        ])
        return entities
    }

    private static func coding(_ code: (system: String, code: String, display: String?)) -> JSONValue {
        var coding: [String: JSONValue] = ["system": .string(code.system), "code": .string(code.code)]
        if let display = code.display { coding["display"] = .string(display) }
        return .object(coding)
    }
}
