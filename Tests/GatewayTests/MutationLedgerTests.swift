import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Every PHI mutation: exactly one ledger entry, and its projection written with it")
struct MutationLedgerTests {
    /// The newest entry's seq and action, and how many entries there are.
    static func head(_ database: TestDatabase) async throws -> (count: Int64, seq: Int64, action: String) {
        try await database.withClient(database.ownerURL) { client in
            let rows = try await client.query(
                """
                SELECT (SELECT count(*) FROM ledger_entries)::bigint, seq, convert_from(canonical, 'UTF8')::jsonb ->> 'action'
                FROM ledger_entries ORDER BY seq DESC LIMIT 1
                """, logger: TestPostgres.logger)
            for try await row in rows.decode((Int64, Int64, String).self) { return (row.0, row.1, row.2) }
            throw TestFailure("the ledger is empty")
        }
    }

    /// The seqs a query returns (each projection row's `ledger_seq`), bound to one id.
    static func seqs(_ database: TestDatabase, _ sql: String, _ id: String) async throws -> [Int64] {
        try await database.withClient(database.ownerURL) { client in
            var binds = PostgresBindings()
            binds.append(UUID(uuidString: id)!)
            var found: [Int64] = []
            for try await seq in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: TestPostgres.logger).decode(Int64.self) {
                found.append(seq)
            }
            return found
        }
    }

    @Test("create, change, amend, assign, disclose, grant, archive, shred: one entry each, its seq on the rows it wrote")
    func oneEntryPerMutation() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"])
                let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"])
                let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"])

                /// Runs one mutation, then checks: one more entry, with `action`, whose seq is on the projection rows
                /// `projection` selects for the id the answer (or `id`) names, and on exactly one access-log row.
                func mutation(
                    _ action: String, _ method: HTTPRequest.Method, _ path: String, token: String, json: [String: Any]? = nil,
                    id: String? = nil, projection: String?, patient: String? = nil
                ) async throws -> APIAnswer {
                    let before = try await Self.head(database)
                    let answer = try await client.call(method, path, token: token, json: json)
                    #expect((200..<300).contains(answer.status.code), "\(action): \(answer.status) \(answer.body)")
                    let after = try await Self.head(database)
                    #expect(after.count == before.count + 1 && after.action == action, "\(action): \(after)")
                    if let projection {
                        let resource = try #require(id ?? answer["id"] as? String)
                        #expect(try await Self.seqs(database, projection, resource).contains(after.seq), "\(action) projection")
                    }
                    if let patient = patient ?? answer["patientId"] as? String ?? answer["id"] as? String {
                        let logged = try await Self.seqs(database, "SELECT ledger_seq FROM phi_access WHERE patient_id = $1", patient)
                        #expect(logged.last == after.seq && logged.filter { $0 == after.seq }.count == 1, "\(action) access log: \(logged)")
                    }
                    return answer
                }

                let patient = try #require(try await mutation(
                    "patient.create", .post, "/v1/patients", token: ada.token, json: PatientTests.chidi,
                    projection: "SELECT ledger_seq FROM patients WHERE id = $1")["id"] as? String)
                _ = try await mutation(
                    "patient.update", .patch, "/v1/patients/\(patient)", token: ada.token, json: ["givenName": "C."],
                    projection: "SELECT ledger_seq FROM patients WHERE id = $1")
                _ = try await mutation(
                    "care_team.add", .put, "/v1/patients/\(patient)/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"],
                    id: nia.id, projection: "SELECT ledger_seq FROM care_team_members WHERE user_id = $1", patient: patient)
                let note = try #require(try await mutation(
                    "note.create", .post, "/v1/patients/\(patient)/notes", token: nia.token, json: ["kind": "progress", "title": "t", "body": "b"],
                    projection: "SELECT ledger_seq FROM clinical_note_versions WHERE note_id = $1")["id"] as? String)
                _ = try await mutation(
                    "note.amend", .post, "/v1/patients/\(patient)/notes/\(note)/amendments", token: ada.token,
                    json: ["amends": 1, "body": "b2", "reason": "r"],
                    projection: "SELECT ledger_seq FROM clinical_note_versions WHERE note_id = $1 AND version = 2")
                let task = try #require(try await mutation(
                    "task.create", .post, "/v1/tasks", token: ada.token, json: ["patientId": patient, "title": "t", "tags": ["a"]],
                    projection: "SELECT ledger_seq FROM care_tasks WHERE id = $1")["id"] as? String)
                _ = try await mutation(
                    "task.update", .patch, "/v1/tasks/\(task)", token: nia.token, json: ["status": "done"],
                    projection: "SELECT ledger_seq FROM care_tasks WHERE id = $1")
                _ = try await mutation(
                    "disclosure.create", .post, "/v1/patients/\(patient)/disclosures", token: ada.token,
                    json: ["disclosedAt": "2026-11-01T09:00:00Z", "recipientName": "R", "description": "D", "purpose": "P"],
                    projection: "SELECT ledger_seq FROM disclosures WHERE id = $1")
                _ = try await mutation(
                    "break_glass.open", .post, "/v1/break-glass", token: ben.token,
                    json: ["patientId": patient, "reason": "Emergency: one entry test."],
                    projection: "SELECT ledger_seq FROM break_glass_grants WHERE id = $1")
                _ = try await mutation(
                    "care_team.remove", .delete, "/v1/patients/\(patient)/care-team/\(nia.id)", token: ada.token, projection: nil, patient: patient)
                #expect(try await Self.seqs(database, "SELECT ledger_seq FROM care_team_members WHERE user_id = $1", nia.id).isEmpty)
                // A refused change is recorded as a denied attempt, and touches no row.
                let before = try await Self.head(database)
                let taskSeqs = try await Self.seqs(database, "SELECT ledger_seq FROM care_tasks WHERE id = $1", task)
                #expect(try await client.call(.patch, "/v1/tasks/\(task)", token: cora.token, json: ["status": "open"]).status == .notFound)
                let refused = try await Self.head(database)
                #expect(refused.count == before.count + 1 && refused.action == "task.update")
                #expect(try await Self.seqs(database, "SELECT ledger_seq FROM care_tasks WHERE id = $1", task) == taskSeqs)

                _ = try await mutation(
                    "patient.archive", .post, "/v1/patients/\(patient)/archive", token: ada.token,
                    projection: "SELECT ledger_seq FROM patients WHERE id = $1")
                try await database.withClient(database.ownerURL) { client in
                    try await client.query(
                        "UPDATE sessions SET stepped_up_at = now() WHERE user_id = \(UUID(uuidString: cora.id)!)", logger: TestPostgres.logger)
                }
                _ = try await mutation(
                    "patient.shred", .post, "/v1/patients/\(patient)/shred", token: cora.token, json: ["reason": "Erasure request ER-1."],
                    projection: nil, patient: patient)
                #expect(try await Self.seqs(database, "SELECT ledger_seq FROM patients WHERE id = $1", patient).isEmpty)

            }
            _ = try await gateway.verifiedChain()
        }
    }
}
