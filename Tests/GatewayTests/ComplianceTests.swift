import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

@Suite("Disclosures, the access audit and crypto-shredding, for compliance officers")
struct ComplianceTests {
    /// Rows of `table` whose `column` is the patient, read as the database owner.
    static func count(_ database: TestDatabase, _ table: String, _ column: String = "patient_id", patient: String) async throws -> Int64 {
        try await database.withClient(database.ownerURL) { client in
            try await client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(table) WHERE \(column) = $1", binds: {
                    var binds = PostgresBindings()
                    binds.append(UUID(uuidString: patient)!)
                    return binds
                }()), logger: TestPostgres.logger
            ).first(Int64.self) ?? -1
        }
    }

    @Test("disclosures are recorded with the HIPAA fields, listed newest first, and refused for the future or without a purpose")
    func disclosures() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"])
                let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"])
                let patient = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: PatientTests.chidi)["id"] as? String)
                #expect(try await client.call(.put, "/v1/patients/\(patient)/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"]).status == .ok)
                let path = "/v1/patients/\(patient)/disclosures"
                let times = ["2026-10-01T09:00:00Z", "2026-11-01T09:00:00Z", "2026-11-15T09:00:00Z"]
                for (index, time) in times.enumerated() {
                    var body: [String: Any] = [
                        "disclosedAt": time, "recipientName": "Recipient \(index)", "description": "Discharge summary.",
                        "purpose": "Continuity of care.",
                    ]
                    if index == 0 { body["recipientAddress"] = "12 Civic Plaza\nSpringfield" }
                    let made = try await client.call(.post, path, token: ada.token, json: body)
                    #expect(made.status == .created && made["recordedBy"] as? String == ada.id)
                }
                let future = try await client.call(.post, path, token: ada.token, json: [
                    "disclosedAt": "2999-01-01T00:00:00Z", "recipientName": "R", "description": "D", "purpose": "P",
                ])
                #expect(future.status == .badRequest && future["field"] as? String == "disclosedAt")
                let noPurpose = try await client.call(.post, path, token: ada.token, json: [
                    "disclosedAt": times[0], "recipientName": "R", "description": "D",
                ])
                #expect(noPurpose.status == .badRequest && noPurpose["field"] as? String == "purpose")
                // Nurses neither record nor read the accounting (they may see the patient, so 403).
                #expect(try await client.call(.post, path, token: nia.token, json: [
                    "disclosedAt": times[0], "recipientName": "R", "description": "D", "purpose": "P",
                ]).status == .forbidden)

                // Compliance reads the accounting; newest first, a window, pages.
                let all = try await client.call(.get, path, token: cora.token)
                let listed = try #require(all["disclosures"] as? [[String: Any]])
                #expect(listed.compactMap { $0["recipientName"] as? String } == ["Recipient 2", "Recipient 1", "Recipient 0"])
                #expect(listed.last?["recipientAddress"] as? String == "12 Civic Plaza\nSpringfield")
                let window = try await client.call(.get, "\(path)?from=2026-10-15T00:00:00Z&before=2026-11-15T09:00:00Z", token: cora.token)
                #expect((window["disclosures"] as? [[String: Any]])?.compactMap { $0["recipientName"] as? String } == ["Recipient 1"])
                let first = try await client.call(.get, "\(path)?limit=2", token: cora.token)
                let cursor = try #require(first["nextCursor"] as? String)
                let second = try await client.call(.get, "\(path)?limit=2&cursor=\(cursor)", token: cora.token)
                #expect((second["disclosures"] as? [[String: Any]])?.compactMap { $0["recipientName"] as? String } == ["Recipient 0"])
                // The compliance officer's reads are recorded as compliance work.
                #expect(try await client.call(.get, "/v1/patients/\(patient)", token: cora.token).status == .notFound)
            }
            let chain = try await gateway.verifiedChain()
            let reads = chain.filter { $0.entry.action == "disclosure.list" }
            #expect(reads.count == 4 && reads.allSatisfy { $0.entry.purposeOfUse == "HCOMPL" })
            let created = chain.filter { $0.entry.action == "disclosure.create" && $0.entry.outcome == LedgerEntry.Outcome.success }
            #expect(created.count == 3)
            for entry in created {
                guard case .sealed = entry.entry.payload else { throw TestFailure("a disclosure is not sealed") }
            }
        }
    }

    @Test("the access audit filters by user, patient, action and window, sorts by every field, and pages without gaps")
    func accessAudit() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"])
                let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"])
                let sam = try await client.enrolledUser(admin: admin, email: "sam@hospital.example", roles: ["security_reviewer"])
                var patients: [String] = []
                for index in 0..<4 {
                    let body = PatientTests.chidi.merging(["mrn": "MRN-A\(index)"]) { $1 }
                    patients.append(try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: body)["id"] as? String))
                }
                let start = Date()
                for round in 0..<5 {
                    for patient in patients {
                        _ = try await client.call(.get, "/v1/patients/\(patient)", token: round % 2 == 0 ? ada.token : ben.token)
                    }
                }
                let path = "/v1/audit/access"
                #expect(try await client.call(.get, path, token: ada.token).status == .forbidden)
                #expect(try await client.call(.get, path, token: admin).status == .forbidden)

                // Everything, in every order, paged 7 at a time: the same 24 rows, correctly ordered.
                func everyPage(_ query: String, token: String) async throws -> [[String: Any]] {
                    var rows: [[String: Any]] = [], cursor: String?
                    repeat {
                        let page = try await client.call(.get, "\(path)?\(query)&limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                        guard page.status == .ok, let accesses = page["accesses"] as? [[String: Any]] else {
                            throw TestFailure("\(query) answered \(page.status): \(page.body)")
                        }
                        rows += accesses
                        cursor = page["nextCursor"] as? String
                    } while cursor != nil
                    return rows
                }
                let key: ([String: Any]) -> String = { "\($0["seq"]!)|\($0["patientId"]!)" }
                let baseline = try await everyPage("sort=seq", token: cora.token)
                #expect(baseline.count == 4 + 20)
                for field in ["recordedAt", "userId", "patientId", "action", "outcome", "breakGlass", "seq"] {
                    for descending in [false, true] {
                        let rows = try await everyPage("sort=\(descending ? "-" : "")\(field)", token: sam.token)
                        #expect(Set(rows.map(key)) == Set(baseline.map(key)) && rows.count == baseline.count, "\(field)")
                        // Each row's value must not go backwards in the asked direction (ties broken by seq, then patient).
                        let values = rows.map { "\($0[field]!)" }
                        let sorted = field == "seq" ? values.sorted { Int($0)! < Int($1)! } : values.sorted()
                        #expect(values == (descending ? sorted.reversed() : sorted), "\(descending ? "-" : "")\(field)")
                    }
                }
                let bens = try await everyPage("userId=\(ben.id)", token: cora.token)
                #expect(bens.count == 8 && bens.allSatisfy { $0["userId"] as? String == ben.id && $0["outcome"] as? String == "denied" })
                let onePatient = try await everyPage("patientId=\(patients[2])&action=patient.read&outcome=success", token: cora.token)
                #expect(onePatient.count == 3)
                let window = try await everyPage("from=\(RFC3339Timestamps.format(start))&action=patient.create", token: cora.token)
                #expect(window.isEmpty)
                #expect(try await everyPage("before=\(RFC3339Timestamps.format(start))&action=patient.create", token: cora.token).count == 4)
                let forged = PageCursor.encode(["yesterday", "1", UUID().uuidString])
                let refused = try await client.call(.get, "\(path)?sort=recordedAt&cursor=\(forged)", token: cora.token)
                #expect(refused.status == .badRequest && refused["field"] as? String == "cursor")
            }
            // Reading the audit trail is itself in the ledger.
            let chain = try await gateway.verifiedChain()
            #expect(chain.filter { $0.entry.action == "audit.read" }.count > 30)
        }
    }

    @Test("crypto-shred: refused without a recent step-up; then the key is gone, the records are gone, the chain verifies")
    func cryptoShred() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            let ids = Mutex(("", ""))
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"])
                let patient = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: PatientTests.chidi)["id"] as? String)
                let kept = try #require(try await client.call(
                    .post, "/v1/patients", token: ada.token, json: PatientTests.chidi.merging(["mrn": "MRN-KEPT"]) { $1 })["id"] as? String)
                ids.withLock { $0 = (patient, kept) }
                #expect(try await client.call(.post, "/v1/patients/\(patient)/notes", token: ada.token, json: [
                    "kind": "progress", "title": "t", "body": "b",
                ]).status == .created)
                #expect(try await client.call(.post, "/v1/tasks", token: ada.token, json: ["patientId": patient, "title": "t", "tags": ["x"]]).status == .created)
                #expect(try await client.call(.post, "/v1/patients/\(patient)/disclosures", token: ada.token, json: [
                    "disclosedAt": "2026-11-01T09:00:00Z", "recipientName": "R", "description": "D", "purpose": "P",
                ]).status == .created)
                let reason = ["reason": "Erasure request ER-2026-0117, approved."]

                // Without a step-up the answer says what is missing; for a clinician it is a plain refusal.
                let noStepUp = try await client.call(.post, "/v1/patients/\(patient)/shred", token: cora.token, json: reason)
                #expect(noStepUp.status == .forbidden && (noStepUp["detail"] as? String)?.contains("step-up") == true)
                #expect(try await client.call(.post, "/v1/patients/\(patient)/shred", token: ada.token, json: reason).status == .forbidden)
                #expect(try await client.call(.post, "/v1/patients/\(UUID().uuidString)/shred", token: ada.token, json: reason).status == .forbidden)

                // A step-up eleven minutes ago is too old; one a minute ago will do.
                try await database.withClient(database.ownerURL) { client in
                    try await client.query(
                        "UPDATE sessions SET stepped_up_at = now() - interval '11 minutes' WHERE user_id = \(UUID(uuidString: cora.id)!)",
                        logger: TestPostgres.logger)
                }
                #expect(try await client.call(.post, "/v1/patients/\(patient)/shred", token: cora.token, json: reason).status == .forbidden)
                try await database.withClient(database.ownerURL) { client in
                    try await client.query(
                        "UPDATE sessions SET stepped_up_at = now() - interval '1 minute' WHERE user_id = \(UUID(uuidString: cora.id)!)",
                        logger: TestPostgres.logger)
                }
                let short = try await client.call(.post, "/v1/patients/\(patient)/shred", token: cora.token, json: ["reason": "why"])
                #expect(short.status == .badRequest && short["field"] as? String == "reason")
                #expect(try await client.call(.post, "/v1/patients/\(UUID().uuidString)/shred", token: cora.token, json: reason).status == .notFound)
                let shredded = try await client.call(.post, "/v1/patients/\(patient)/shred", token: cora.token, json: reason)
                #expect(shredded.status == .ok && shredded["patientId"] as? String == patient && shredded["seq"] as? Int != nil)

                // Gone for everyone, and nothing more can be written about the patient.
                #expect(try await client.call(.get, "/v1/patients/\(patient)", token: ada.token).status == .notFound)
                #expect(try await client.call(.post, "/v1/patients/\(patient)/shred", token: cora.token, json: reason).status == .notFound)
                #expect(try await client.call(.get, "/v1/patients/\(kept)", token: ada.token).status == .ok)
                // The access log keeps its rows (ids only), for the audit.
                let audit = try await client.call(.get, "/v1/audit/access?patientId=\(patient)&action=patient.shred", token: cora.token)
                #expect((audit["accesses"] as? [[String: Any]])?.count == 1)
            }
            let (patient, kept) = ids.withLock { $0 }
            for table in ["patients", "clinical_notes", "care_tasks", "disclosures", "care_team_members"] {
                let column = table == "patients" ? "id" : "patient_id"
                let left = try await Self.count(database, table, column, patient: patient)
                #expect(left == 0, "\(table)")
            }
            #expect(try await Self.count(database, "patients", "id", patient: kept) == 1)
            let key = try await database.withClient(database.ownerURL) { client in
                try await client.query(
                    "SELECT wrapped IS NULL AND shredded_at IS NOT NULL FROM subject_keys WHERE subject_id = \(patient)", logger: TestPostgres.logger
                ).first(Bool.self)
            }
            #expect(key == true)
            // Every entry still verifies, including the sealed ones nobody can open any more.
            let chain = try await gateway.verifiedChain()
            let shred = try #require(chain.first { $0.entry.action == "patient.shred" }?.entry)
            #expect(shred.subject == patient && shred.actor?.userID != nil)
            #expect(chain.filter { $0.entry.subject == patient }.count >= 5)
        }
    }
}
