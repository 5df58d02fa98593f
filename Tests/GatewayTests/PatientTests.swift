import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

@Suite("Patients, care teams and break-glass through the running gateway, every access in the ledger")
struct PatientTests {
    static var chidi: [String: Any] { [
        "mrn": "MRN-0042137", "familyName": "Okonkwo", "givenName": "Chidi", "birthDate": "1961-04-09", "sex": "male",
    ] }

    /// The access-log rows of a patient: (action, user, outcome, break-glass), in ledger order.
    static func accessLog(_ database: TestDatabase, patient: String) async throws -> [(String, String, String, Bool)] {
        try await database.withClient(database.ownerURL) { client in
            let rows = try await client.query(
                "SELECT action, user_id::text, outcome, break_glass FROM phi_access WHERE patient_id = \(UUID(uuidString: patient)!) ORDER BY ledger_seq",
                logger: TestPostgres.logger)
            var log: [(String, String, String, Bool)] = []
            for try await row in rows.decode((String, String, String, Bool).self) { log.append(row) }
            return log
        }
    }

    @Test("a clinician registers a patient and reads it; another team's clinician gets 404, recorded; break-glass opens it for a while, flagged")
    func careTeamIsolationAndBreakGlass() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            let clock = TestClock()
            let patientID = Mutex("")
            try await gateway.serve(clock: clock.now) { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"])

                let created = try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi)
                #expect(created.status == .created)
                #expect(created["version"] as? Int == 1 && created["status"] as? String == "active")
                let id = try #require(created["id"] as? String)
                patientID.withLock { $0 = id }
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ada.token)["familyName"] as? String == "Okonkwo")

                // Ben is not on the team: the patient does not exist for him, in reads, lists and writes alike.
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ben.token).status == .notFound)
                #expect((try await client.call(.get, "/v1/patients?name=okon", token: ben.token)["patients"] as? [Any])?.isEmpty == true)
                #expect(try await client.call(.patch, "/v1/patients/\(id)", token: ben.token, json: ["givenName": "X"]).status == .notFound)
                // The administrator reads no PHI at all.
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: admin).status == .notFound)
                #expect(try await client.call(.post, "/v1/patients", token: admin, json: Self.chidi).status == .forbidden)

                let refused = try await client.call(.post, "/v1/break-glass", token: ben.token, json: ["patientId": id, "reason": "short"])
                #expect(refused.status == .badRequest && refused["field"] as? String == "reason")
                let grant = try await client.call(
                    .post, "/v1/break-glass", token: ben.token,
                    json: ["patientId": id, "reason": "Unconscious on arrival; medication history needed.", "minutes": 30])
                #expect(grant.status == .created && grant["active"] as? Bool == true)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ben.token).status == .ok)
                // Reading under the grant is allowed; changing is not.
                #expect(try await client.call(.patch, "/v1/patients/\(id)", token: ben.token, json: ["givenName": "X"]).status == .forbidden)

                // Past the grant's 30 minutes (and the sessions' idle timeout: everyone signs in again).
                clock.advance(by: 31 * 60)
                let admin2 = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                let benAgain = try await client.accessToken(email: "ben@hospital.example", password: TestAccounts.password)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: benAgain).status == .notFound)

                // Compliance sees the grant.
                let officer = try await client.enrolledUser(admin: admin2, email: "cora@hospital.example", roles: ["compliance_officer"])
                let grants = try await client.call(.get, "/v1/break-glass?patientId=\(id)", token: officer.token)
                let listed = try #require((grants["grants"] as? [[String: Any]])?.first)
                #expect(listed["userId"] as? String == ben.id && listed["active"] as? Bool == false)
                #expect(try await client.call(.get, "/v1/break-glass", token: benAgain).status == .forbidden)
            }
            let id = patientID.withLock { $0 }
            let log = try await Self.accessLog(database, patient: id)
            #expect(log.map(\.0) == [
                "patient.create", "patient.read", "patient.read", "patient.update", "patient.read", "break_glass.open", "patient.read",
                "patient.update", "patient.read", "break_glass.list",
            ])
            #expect(log.map(\.2) == ["success", "success", "denied", "denied", "denied", "success", "success", "denied", "denied", "success"])
            #expect(log.map(\.3) == [false, false, false, false, false, true, true, false, false, false])

            let chain = try await gateway.verifiedChain()
            let create = try #require(chain.first { $0.entry.action == "patient.create" }?.entry)
            #expect(create.subject == id)
            guard case .sealed = create.payload else { throw TestFailure("the demographics are not sealed") }
            let emergencyRead = chain.filter { $0.entry.action == "patient.read" && $0.entry.purposeOfUse == "ETREAT" }
            #expect(emergencyRead.count == 1)
        }
    }

    /// Entries in the chain, read as the database owner.
    static func entryCount(_ database: TestDatabase) async throws -> Int {
        try await database.withClient(database.ownerURL) { client in
            try await client.query("SELECT count(*)::bigint FROM ledger_entries", logger: TestPostgres.logger).first(Int64.self).map(Int.init) ?? 0
        }
    }

    @Test("a request on a patient reads the session with the patient: 401 before 404, roles as they are now, the use recorded")
    func sessionReadWithThePatient() async throws {
        try await AdministeredGateway.with { gateway in
            let clock = TestClock(standingStill: true)
            try await gateway.serve(clock: clock.now) { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let id = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi)["id"] as? String)

                // Without a live session the answer is 401 whatever the id names: the patient, no one, or nothing.
                for path in ["/v1/patients/\(id)", "/v1/patients/\(UUID())", "/v1/patients/not-an-id"] {
                    #expect(try await client.call(.get, path).status == .unauthorized, "\(path)")
                    #expect(try await client.call(.patch, path, json: ["givenName": "X"]).status == .unauthorized, "\(path)")
                }
                #expect(try await client.call(.post, "/v1/tasks", json: ["patientId": "not-an-id", "title": "T"]).status == .unauthorized)
                // With one, an id that names no patient is 404, and a task's patientId that is no id a field error.
                #expect(try await client.call(.get, "/v1/patients/\(UUID())", token: ada.token).status == .notFound)
                #expect(try await client.call(.get, "/v1/patients/not-an-id/notes", token: ada.token).status == .notFound)
                let badTask = try await client.call(.post, "/v1/tasks", token: ada.token, json: ["patientId": "not-an-id", "title": "T"])
                #expect(badTask.status == .badRequest && badTask["field"] as? String == "patientId")

                // A use counts against the idle timeout: past the touch interval, a read moves the session's last use.
                clock.advance(by: 60)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ada.token).status == .ok)
                let lastUse = try await gateway.database.withClient(gateway.database.ownerURL) { owner in
                    try await owner.query(
                        "SELECT max(last_seen_at) FROM sessions WHERE user_id = \(UUID(uuidString: ada.id)!)", logger: TestPostgres.logger
                    ).first(Date.self)
                }
                #expect(abs((lastUse ?? .distantPast).timeIntervalSince(clock.now())) < 0.001)

                // Roles are the account's as they are now, not as the token was issued: as a nurse on the team, Ada
                // still reads but no longer changes the record, with the same token.
                #expect(try await client.call(.patch, "/v1/users/\(ada.id)", token: admin, json: ["roles": ["nurse"]]).status == .ok)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ada.token).status == .ok)
                #expect(try await client.call(.patch, "/v1/patients/\(id)", token: ada.token, json: ["givenName": "X"]).status == .forbidden)

                // Signed out, the same token opens nothing.
                #expect(try await client.call(.post, "/v1/auth/logout", token: ada.token).status == .noContent)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: ada.token).status == .unauthorized)
                #expect(try await client.call(.get, "/v1/patients/\(id)/care-team", token: ada.token).status == .unauthorized)
            }
        }
    }

    @Test("bad input names the field and writes nothing: unknown field, wrong type, null, oversized, bad date, bad enum")
    func validationNamesTheField() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let before = try await Self.entryCount(database)
                let cases: [(String, Any?, String)] = [
                    ("nickname", "Chid", "nickname"),
                    ("familyName", 42, "familyName"),
                    ("givenName", nil, "givenName"),
                    ("familyName", String(repeating: "x", count: 201), "familyName"),
                    ("birthDate", "1961-02-30", "birthDate"),
                    ("birthDate", "2999-01-01", "birthDate"),
                    ("sex", "robot", "sex"),
                    ("mrn", "   ", "mrn"),
                ]
                for (key, value, field) in cases {
                    var body = Self.chidi
                    body[key] = value ?? NSNull()
                    let answer = try await client.call(.post, "/v1/patients", token: ada.token, json: body)
                    #expect(answer.status == .badRequest, "\(key)")
                    #expect(answer["field"] as? String == field, "\(key): \(answer.body)")
                }
                var missing = Self.chidi
                missing.removeValue(forKey: "mrn")
                #expect(try await client.call(.post, "/v1/patients", token: ada.token, json: missing)["field"] as? String == "mrn")
                #expect(try await client.call(.get, "/v1/patients?limit=0", token: ada.token)["field"] as? String == "limit")
                #expect(try await client.call(.get, "/v1/patients?cursor=bm9wZQ", token: ada.token)["field"] as? String == "cursor")
                #expect(try await Self.entryCount(database) == before)
            }
        }
    }

    @Test("updates need the current version, archived patients stay as they are, and a nurse on the team reads but does not change")
    func updateArchiveAndCareTeam() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"], name: "Ada Lovelace")
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"], name: "Nia Nurse")
                let id = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi)["id"] as? String)

                let changed = try await client.call(.patch, "/v1/patients/\(id)", token: ada.token, json: ["familyName": "Okonkwo-Adeyemi", "version": 1])
                #expect(changed.status == .ok && changed["version"] as? Int == 2 && changed["familyName"] as? String == "Okonkwo-Adeyemi")
                let stale = try await client.call(.patch, "/v1/patients/\(id)", token: ada.token, json: ["givenName": "C.", "version": 1])
                #expect(stale.status == .conflict)
                let other = try #require(try await client.call(
                    .post, "/v1/patients", token: ada.token, json: Self.chidi.merging(["mrn": "MRN-2"]) { $1 })["id"] as? String)
                #expect(try await client.call(.patch, "/v1/patients/\(other)", token: ada.token, json: ["mrn": "MRN-0042137"]).status == .conflict)
                #expect(try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi).status == .conflict)

                // The nurse joins the team: reads at once, may not change demographics (403: she may see the patient).
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: nia.token).status == .notFound)
                let joined = try await client.call(.put, "/v1/patients/\(id)/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"])
                #expect(joined.status == .ok && joined["name"] as? String == "Nia Nurse")
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: nia.token).status == .ok)
                #expect(try await client.call(.patch, "/v1/patients/\(id)", token: nia.token, json: ["givenName": "X"]).status == .forbidden)
                let team = try await client.call(.get, "/v1/patients/\(id)/care-team", token: nia.token)
                #expect((team["members"] as? [[String: Any]])?.compactMap { $0["teamRole"] as? String } == ["attending", "nurse"])
                // Only clinical staff can join; the administrator cannot.
                let notStaff = try await client.call(.put, "/v1/patients/\(id)/care-team/\(UUID().uuidString)", token: ada.token, json: ["teamRole": "other"])
                #expect(notStaff.status == .badRequest && notStaff["field"] as? String == "userId")
                #expect(try await client.call(.delete, "/v1/patients/\(id)/care-team/\(nia.id)", token: ada.token).status == .noContent)
                #expect(try await client.call(.get, "/v1/patients/\(id)", token: nia.token).status == .notFound)
                #expect(try await client.call(.delete, "/v1/patients/\(id)/care-team/\(nia.id)", token: ada.token).status == .notFound)

                let archived = try await client.call(.post, "/v1/patients/\(id)/archive", token: ada.token)
                #expect(archived.status == .ok && archived["status"] as? String == "archived")
                #expect(try await client.call(.patch, "/v1/patients/\(id)", token: ada.token, json: ["givenName": "X"]).status == .conflict)
                let active = try await client.call(.get, "/v1/patients?mrn=MRN-0042137", token: ada.token)
                #expect((active["patients"] as? [Any])?.isEmpty == true)
                let listed = try await client.call(.get, "/v1/patients?mrn=MRN-0042137&status=archived", token: ada.token)
                #expect((listed["patients"] as? [[String: Any]])?.first?["id"] as? String == id)
            }
            // Every change is one entry with its projection: the chain verifies and each entry's seq is on its row.
            let chain = try await gateway.verifiedChain()
            let changes = chain.filter { ["patient.create", "patient.update", "patient.archive"].contains($0.entry.action) }
            let succeeded = changes.filter { $0.entry.outcome == LedgerEntry.Outcome.success }
            #expect(succeeded.map(\.entry.action) == [
                "patient.create", "patient.update", "patient.create", "patient.archive",
            ])
            // Refused changes leave a denied entry (the nurse's attempt), and refused conflicts leave none.
            let denied = changes.filter { $0.entry.outcome == LedgerEntry.Outcome.denied }
            #expect(denied.map(\.entry.action) == ["patient.update"])
        }
    }

    @Test("concurrent updates of one patient: without a version each lands in turn, with the version read one wins; each answer is the row it left")
    func concurrentUpdates() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"], name: "Ada Lovelace")
                let id = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi)["id"] as? String)
                /// Sends the changes at once; each answer's status, version, given and family name and time.
                func race(_ changes: [[String: any Sendable]]) async throws -> [(status: Int, version: Int?, given: String?, family: String?, at: String?)] {
                    try await withThrowingTaskGroup(of: (Int, Int?, String?, String?, String?).self) { group in
                        for change in changes {
                            group.addTask {
                                let answer = try await client.call(.patch, "/v1/patients/\(id)", token: ada.token, json: change)
                                return (answer.status.code, answer["version"] as? Int, answer["givenName"] as? String,
                                        answer["familyName"] as? String, answer["updatedAt"] as? String)
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }

                let unversioned = try await race((0..<8).map { ["givenName": "Name\($0)"] })
                #expect(unversioned.allSatisfy { $0.status == 200 }, "\(unversioned)")
                #expect(Set(unversioned.compactMap(\.version)) == Set(2...9))
                let newest = try #require(unversioned.max { ($0.version ?? 0) < ($1.version ?? 0) })
                let read = try await client.call(.get, "/v1/patients/\(id)", token: ada.token)
                #expect(read["version"] as? Int == 9 && read["givenName"] as? String == newest.given)
                #expect(read["updatedAt"] as? String == newest.at && read["familyName"] as? String == "Okonkwo")

                let versioned = try await race((0..<6).map { ["familyName": "Family\($0)", "version": 9] })
                let winners = versioned.filter { $0.status == 200 }
                #expect(winners.count == 1 && versioned.filter { $0.status == 409 }.count == 5, "\(versioned)")
                let after = try await client.call(.get, "/v1/patients/\(id)", token: ada.token)
                #expect(winners.first?.version == 10 && after["version"] as? Int == 10)
                #expect(after["familyName"] as? String == winners.first?.family && after["givenName"] as? String == newest.given)
            }
            // One entry per update that was answered 200; the refused ones left none, and the access log agrees.
            let chain = try await gateway.verifiedChain()
            #expect(chain.filter { $0.entry.action == "patient.update" }.count == 9)
            let patient = try #require(chain.first { $0.entry.action == "patient.create" }?.entry.subject)
            #expect(try await Self.accessLog(gateway.database, patient: patient).filter { $0.0 == "patient.update" }.count == 9)
        }
    }

    @Test("name search by prefix, any case, pages through a few hundred patients in order without gaps or repeats")
    func searchAndPagination() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let service = try await client.enrolledUser(admin: admin, email: "adt@hospital.example", roles: ["service"])
                let families = ["Okafor", "okeke", "Olsen", "Nakamura", "O_Brien"]
                for index in 0..<150 {
                    let body: [String: Any] = [
                        "mrn": "MRN-\(index)", "familyName": families[index % families.count], "givenName": "Given\(index % 7)",
                        "birthDate": index % 2 == 0 ? "1980-01-01" : "1990-06-15", "sex": "unknown",
                    ]
                    #expect(try await client.call(.post, "/v1/patients", token: service.token, json: body).status == .created)
                }
                var seen: [String] = [], keys: [String] = [], cursor: String?
                repeat {
                    let page = try await client.call(
                        .get, "/v1/patients?name=OK&limit=17" + (cursor.map { "&cursor=\($0)" } ?? ""), token: service.token)
                    let patients = try #require(page["patients"] as? [[String: Any]])
                    #expect(patients.count <= 17)
                    seen += patients.compactMap { $0["id"] as? String }
                    keys += patients.map { "\(($0["familyName"] as! String).lowercased())|\(($0["givenName"] as! String).lowercased())" }
                    cursor = page["nextCursor"] as? String
                } while cursor != nil
                #expect(seen.count == 60 && Set(seen).count == 60)
                #expect(keys == keys.sorted())
                // '_' is a letter here, not a wildcard; birth date narrows.
                let underscore = try await client.call(.get, "/v1/patients?name=o_b&limit=200", token: service.token)
                #expect((underscore["patients"] as? [Any])?.count == 30)
                let born = try await client.call(.get, "/v1/patients?name=olsen&birthDate=1990-06-15&limit=200", token: service.token)
                #expect((born["patients"] as? [Any])?.count == 15)
            }
        }
    }

    @Test("a read that cannot be recorded in the ledger fails with 503 and returns no PHI")
    func unrecordableReadFailsClosed() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let id = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: Self.chidi)["id"] as? String)
                try await database.withClient(database.ownerURL) { client in
                    try await client.query("REVOKE INSERT ON phi_access FROM ledger_runtime", logger: TestPostgres.logger)
                }
                let answer = try await client.call(.get, "/v1/patients/\(id)", token: ada.token)
                #expect(answer.status == .serviceUnavailable)
                #expect(answer["familyName"] == nil && answer["detail"] as? String != nil)
                let listed = try await client.call(.get, "/v1/patients", token: ada.token)
                #expect(listed.status == .serviceUnavailable && listed["patients"] == nil)
            }
        }
    }
}
