import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing
@testable import Gateway

/// Every role against every PHI endpoint, for a patient whose care team the caller is on, one they have no relation
/// to, and one they opened break-glass for, through the running gateway with the shipped policy files.
@Suite("Authorization matrix: role x endpoint x relation to the patient")
struct AuthorizationMatrixTests {
    enum Relation: String, CaseIterable, Sendable {
        case team, other, glass
    }

    /// The patient of one cell, with a note and a task written by the clinician who cares for them.
    struct Cell: Sendable {
        let patient: String
        let mrn: String
        let note: String
        let task: String
        let nell: String
    }

    /// One endpoint: its call, and for lists whether the cell's record was in the answer.
    struct Endpoint: Sendable {
        let name: String
        let call: @Sendable (any TestClientProtocol, String, Cell) async throws -> APIAnswer
        var listedKey: String?
        var listedID: (@Sendable (Cell) -> String)?
    }

    static let endpoints: [Endpoint] = [
        Endpoint(name: "GET patient") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)", token: t) },
        Endpoint(name: "PATCH patient") { c, t, x in try await c.call(.patch, "/v1/patients/\(x.patient)", token: t, json: ["givenName": "Matrix"]) },
        Endpoint(name: "GET patients", call: { c, t, x in try await c.call(.get, "/v1/patients?mrn=\(x.mrn)", token: t) },
                 listedKey: "patients", listedID: { $0.patient }),
        Endpoint(name: "GET care-team") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)/care-team", token: t) },
        Endpoint(name: "PUT care-team") { c, t, x in
            try await c.call(.put, "/v1/patients/\(x.patient)/care-team/\(x.nell)", token: t, json: ["teamRole": "nurse"])
        },
        Endpoint(name: "DELETE care-team") { c, t, x in try await c.call(.delete, "/v1/patients/\(x.patient)/care-team/\(x.nell)", token: t) },
        Endpoint(name: "POST note") { c, t, x in
            try await c.call(.post, "/v1/patients/\(x.patient)/notes", token: t, json: ["kind": "other", "title": "t", "body": "b"])
        },
        Endpoint(name: "GET notes") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)/notes", token: t) },
        Endpoint(name: "GET note") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)/notes/\(x.note)", token: t) },
        Endpoint(name: "GET note versions") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)/notes/\(x.note)/versions", token: t) },
        Endpoint(name: "POST amendment") { c, t, x in
            try await c.call(.post, "/v1/patients/\(x.patient)/notes/\(x.note)/amendments", token: t, json: ["amends": 1, "body": "b2", "reason": "r"])
        },
        Endpoint(name: "POST task") { c, t, x in try await c.call(.post, "/v1/tasks", token: t, json: ["patientId": x.patient, "title": "t"]) },
        Endpoint(name: "GET tasks", call: { c, t, x in try await c.call(.get, "/v1/tasks?patientId=\(x.patient)", token: t) },
                 listedKey: "tasks", listedID: { $0.task }),
        Endpoint(name: "GET task") { c, t, x in try await c.call(.get, "/v1/tasks/\(x.task)", token: t) },
        Endpoint(name: "PATCH task") { c, t, x in try await c.call(.patch, "/v1/tasks/\(x.task)", token: t, json: ["status": "in_progress"]) },
        Endpoint(name: "POST disclosure") { c, t, x in
            try await c.call(.post, "/v1/patients/\(x.patient)/disclosures", token: t, json: [
                "disclosedAt": "2026-11-01T09:00:00Z", "recipientName": "R", "description": "D", "purpose": "P",
            ])
        },
        Endpoint(name: "GET disclosures") { c, t, x in try await c.call(.get, "/v1/patients/\(x.patient)/disclosures", token: t) },
        Endpoint(name: "GET break-glass") { c, t, x in try await c.call(.get, "/v1/break-glass?patientId=\(x.patient)", token: t) },
        Endpoint(name: "GET audit") { c, t, x in try await c.call(.get, "/v1/audit/access?patientId=\(x.patient)", token: t) },
        Endpoint(name: "POST audit bundle") { c, t, x in try await c.call(.post, "/v1/audit/bundles", token: t, json: ["patientId": x.patient]) },
        Endpoint(name: "POST archive") { c, t, x in try await c.call(.post, "/v1/patients/\(x.patient)/archive", token: t) },
        Endpoint(name: "POST break-glass") { c, t, x in
            try await c.call(.post, "/v1/break-glass", token: t, json: ["patientId": x.patient, "reason": "Emergency: matrix test."])
        },
        Endpoint(name: "POST shred") { c, t, x in
            try await c.call(.post, "/v1/patients/\(x.patient)/shred", token: t, json: ["reason": "Erasure request for the matrix."])
        },
    ]

    /// The expected outcome per endpoint (in the order above): `ok` (2xx), `listed` / `empty` (a list with or
    /// without the cell's record), or a status code. Clinical roles have a column per relation (team, other,
    /// glass); the others relate to no patient, so one column holds for all three.
    static let expected: [String: [String]] = [
        //                      admin  clinician team/other/glass   nurse team/other/glass     compliance  security  service
        "GET patient":        ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "ok"],
        "PATCH patient":      ["404", "ok", "404", "403",           "403", "404", "403",       "404",      "404",    "ok"],
        "GET patients":       ["403", "listed", "empty", "listed",  "listed", "empty", "listed", "403",    "403",    "listed"],
        "GET care-team":      ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "ok"],
        "PUT care-team":      ["404", "ok", "404", "403",           "403", "404", "403",       "404",      "404",    "ok"],
        "DELETE care-team":   ["404", "ok", "404", "403",           "403", "404", "403",       "404",      "404",    "ok"],
        "POST note":          ["404", "ok", "404", "403",           "ok", "404", "403",        "404",      "404",    "403"],
        "GET notes":          ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "403"],
        "GET note":           ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "403"],
        "GET note versions":  ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "403"],
        "POST amendment":     ["404", "ok", "404", "403",           "ok", "404", "403",        "404",      "404",    "403"],
        "POST task":          ["404", "ok", "404", "403",           "ok", "404", "403",        "404",      "404",    "403"],
        "GET tasks":          ["403", "listed", "empty", "listed",  "listed", "empty", "listed", "403",    "403",    "403"],
        "GET task":           ["404", "ok", "404", "ok",            "ok", "404", "ok",         "404",      "404",    "403"],
        "PATCH task":         ["404", "ok", "404", "403",           "ok", "404", "403",        "404",      "404",    "403"],
        "POST disclosure":    ["404", "ok", "404", "403",           "403", "404", "403",       "404",      "404",    "403"],
        "GET disclosures":    ["404", "ok", "404", "403",           "403", "404", "403",       "ok",       "404",    "403"],
        "GET break-glass":    ["403", "403", "403", "403",          "403", "403", "403",       "ok",       "403",    "403"],
        "GET audit":          ["403", "403", "403", "403",          "403", "403", "403",       "ok",       "ok",     "403"],
        "POST audit bundle":  ["403", "403", "403", "403",          "403", "403", "403",       "ok",       "ok",     "403"],
        "POST archive":       ["404", "ok", "404", "403",           "403", "404", "403",       "404",      "404",    "403"],
        "POST break-glass":   ["403", "ok", "ok", "ok",             "ok", "ok", "ok",          "403",      "403",    "403"],
        // Shredding needs a recent step-up, which none of these sessions has (ComplianceTests covers the allowed case).
        "POST shred":         ["403", "403", "403", "403",          "403", "403", "403",       "403",      "403",    "403"],
    ]

    static let roles = ["admin", "clinician", "nurse", "compliance_officer", "security_reviewer", "service"]

    static func column(role: String, relation: Relation) -> Int {
        switch role {
        case "admin": 0
        case "clinician": 1 + Relation.allCases.firstIndex(of: relation)!
        case "nurse": 4 + Relation.allCases.firstIndex(of: relation)!
        case "compliance_officer": 7
        case "security_reviewer": 8
        default: 9
        }
    }

    static func outcome(_ answer: APIAnswer, _ endpoint: Endpoint, _ cell: Cell) -> String {
        guard (200..<300).contains(answer.status.code) else { return String(answer.status.code) }
        guard let key = endpoint.listedKey, let id = endpoint.listedID?(cell) else { return "ok" }
        let items = answer[key] as? [[String: Any]] ?? []
        return items.contains { $0["id"] as? String == id } ? "listed" : "empty"
    }

    @Test("each role, each PHI endpoint, each relation to the patient: the answer the shipped policy gives")
    func matrix() async throws {
        #expect(Set(Self.expected.keys) == Set(Self.endpoints.map(\.name)))
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let service = try await client.enrolledUser(admin: admin, email: "adt@hospital.example", roles: ["service"])
                let olive = try await client.enrolledUser(admin: admin, email: "olive@hospital.example", roles: ["clinician"])
                let nell = try await client.enrolledUser(admin: admin, email: "nell@hospital.example", roles: ["nurse"])
                var callers: [String: TestUser] = ["admin": TestUser(id: "", token: admin)]
                for role in Self.roles where role != "admin" {
                    callers[role] = try await client.enrolledUser(admin: admin, email: "\(role)@hospital.example", roles: [role])
                }
                var mismatches: [String] = []
                for role in Self.roles {
                    let caller = callers[role]!
                    for relation in Relation.allCases {
                        // A patient of its own for each cell, cared for by Olive, who writes a note and a task.
                        let mrn = "MX-\(role)-\(relation.rawValue)"
                        let body = PatientTests.chidi.merging(["mrn": mrn]) { $1 }
                        let patient = try #require(try await client.call(.post, "/v1/patients", token: service.token, json: body)["id"] as? String)
                        _ = try await client.call(.put, "/v1/patients/\(patient)/care-team/\(olive.id)", token: service.token, json: ["teamRole": "attending"])
                        let note = try #require(try await client.call(
                            .post, "/v1/patients/\(patient)/notes", token: olive.token, json: ["kind": "progress", "title": "t", "body": "b"])["id"] as? String)
                        let task = try #require(try await client.call(.post, "/v1/tasks", token: olive.token, json: ["patientId": patient, "title": "t"])["id"] as? String)
                        switch relation {
                        case .team where role == "clinician" || role == "nurse":
                            let joined = try await client.call(
                                .put, "/v1/patients/\(patient)/care-team/\(caller.id)", token: service.token, json: ["teamRole": role == "nurse" ? "nurse" : "consultant"])
                            #expect(joined.status == .ok)
                        case .glass where role == "clinician" || role == "nurse":
                            let opened = try await client.call(
                                .post, "/v1/break-glass", token: caller.token, json: ["patientId": patient, "reason": "Emergency: matrix test."])
                            #expect(opened.status == .created)
                        default:
                            break
                        }
                        let cell = Cell(patient: patient, mrn: mrn, note: note, task: task, nell: nell.id)
                        let column = Self.column(role: role, relation: relation)
                        for endpoint in Self.endpoints {
                            let got = Self.outcome(try await endpoint.call(client, caller.token, cell), endpoint, cell)
                            let want = Self.expected[endpoint.name]![column]
                            if got != want { mismatches.append("\(role)/\(relation.rawValue) \(endpoint.name): got \(got), want \(want)") }
                        }
                    }
                }
                #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            }
            // Every denied PHI attempt was recorded; the chain of all of it verifies.
            let chain = try await gateway.verifiedChain()
            #expect(chain.contains { $0.entry.outcome == LedgerEntry.Outcome.denied && $0.entry.action == "note.read" })
        }
    }
}
