import Foundation
import HTTPTypes
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

@Suite("Clinical notes: amended, never overwritten, every version readable and in the ledger")
struct ClinicalNoteTests {
    @Test("amendments add versions with their reasons; every version stays readable; a stale amendment is refused")
    func amendmentsKeepHistory() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            let ids = Mutex(("", ""))
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"])
                let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"])
                let patient = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: PatientTests.chidi)["id"] as? String)
                #expect(try await client.call(.put, "/v1/patients/\(patient)/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"]).status == .ok)
                let notes = "/v1/patients/\(patient)/notes"

                let created = try await client.call(.post, notes, token: ada.token, json: [
                    "kind": "progress", "title": "Day 2 ward round", "body": "Afebrile overnight.\nContinue oral antibiotics.",
                ])
                #expect(created.status == .created)
                #expect(created["version"] as? Int == 1 && created["latestVersion"] as? Int == 1 && created["reason"] == nil)
                let note = try #require(created["id"] as? String)
                ids.withLock { $0 = (patient, note) }

                // The nurse on the team amends; the title stays when not given.
                let second = try await client.call(.post, "\(notes)/\(note)/amendments", token: nia.token, json: [
                    "amends": 1, "body": "Afebrile overnight.\nContinue oral antibiotics for 5 more days.", "reason": "Course length added.",
                ])
                #expect(second.status == .created)
                #expect(second["version"] as? Int == 2 && second["title"] as? String == "Day 2 ward round")
                #expect(second["authorId"] as? String == nia.id && second["reason"] as? String == "Course length added.")
                // An amendment based on version 1 comes too late now, and writes nothing.
                let stale = try await client.call(.post, "\(notes)/\(note)/amendments", token: ada.token, json: [
                    "amends": 1, "body": "Something else.", "reason": "Overwrite attempt.",
                ])
                #expect(stale.status == .conflict)
                let third = try await client.call(.post, "\(notes)/\(note)/amendments", token: ada.token, json: [
                    "amends": 2, "title": "Day 2 ward round (corrected)", "body": "Afebrile overnight. Wound clean.", "reason": "Wound review added.",
                ])
                #expect(third["version"] as? Int == 3)

                let latest = try await client.call(.get, "\(notes)/\(note)", token: nia.token)
                #expect(latest["version"] as? Int == 3 && latest["latestVersion"] as? Int == 3)
                #expect(latest["body"] as? String == "Afebrile overnight. Wound clean.")
                let first = try await client.call(.get, "\(notes)/\(note)?version=1", token: nia.token)
                #expect(first["body"] as? String == "Afebrile overnight.\nContinue oral antibiotics." && first["latestVersion"] as? Int == 3)
                #expect(try await client.call(.get, "\(notes)/\(note)?version=4", token: ada.token).status == .notFound)

                let history = try #require(try await client.call(.get, "\(notes)/\(note)/versions", token: ada.token)["versions"] as? [[String: Any]])
                #expect(history.compactMap { $0["version"] as? Int } == [1, 2, 3])
                #expect(history.map { $0["reason"] as? String } == [nil, "Course length added.", "Wound review added."])
                #expect(history.compactMap { $0["authorId"] as? String } == [ada.id, nia.id, ada.id])
                #expect(history.compactMap { $0["title"] as? String } == ["Day 2 ward round", "Day 2 ward round", "Day 2 ward round (corrected)"])

                // A second note; the list shows each note once, at its latest version, newest first, page by page.
                let other = try await client.call(.post, notes, token: nia.token, json: ["kind": "other", "title": "Family call", "body": "Daughter updated."])
                #expect(other.status == .created)
                let page = try await client.call(.get, "\(notes)?limit=1", token: ada.token)
                let firstPage = try #require(page["notes"] as? [[String: Any]])
                #expect(firstPage.count == 1 && firstPage[0]["title"] as? String == "Family call")
                let cursor = try #require(page["nextCursor"] as? String)
                let rest = try await client.call(.get, "\(notes)?limit=1&cursor=\(cursor)", token: ada.token)
                #expect((rest["notes"] as? [[String: Any]])?.first?["version"] as? Int == 3 && rest["nextCursor"] == nil)
                let progress = try await client.call(.get, "\(notes)?kind=progress", token: ada.token)
                #expect((progress["notes"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [note])

                // Another team's clinician: the notes do not exist for him; his attempt is recorded.
                #expect(try await client.call(.get, "\(notes)/\(note)", token: ben.token).status == .notFound)
                #expect(try await client.call(.post, "\(notes)/\(note)/amendments", token: ben.token, json: [
                    "amends": 3, "body": "x", "reason": "y",
                ]).status == .notFound)
                let bad = try await client.call(.post, notes, token: ada.token, json: ["kind": "diary", "title": "t", "body": "b"])
                #expect(bad.status == .badRequest && bad["field"] as? String == "kind")
            }

            let (patient, note) = ids.withLock { $0 }
            // Every version is a row of its own, and the gateway's role can neither change nor delete one.
            let versions = try await database.withClient(database.ownerURL) { client in
                try await client.query(
                    "SELECT count(*)::bigint FROM clinical_note_versions WHERE note_id = \(UUID(uuidString: note)!)", logger: TestPostgres.logger
                ).first(Int64.self)
            }
            #expect(versions == 3)
            await #expect(throws: (any Error).self) {
                try await database.withClient(database.appURL) { client in
                    try await client.query("UPDATE clinical_note_versions SET body = 'rewritten'", logger: TestPostgres.logger)
                }
            }
            await #expect(throws: (any Error).self) {
                try await database.withClient(database.appURL) { client in
                    try await client.query("DELETE FROM clinical_note_versions", logger: TestPostgres.logger)
                }
            }

            let chain = try await gateway.verifiedChain()
            let changes = chain.filter { ["note.create", "note.amend"].contains($0.entry.action) && $0.entry.outcome == LedgerEntry.Outcome.success }
            #expect(changes.map(\.entry.action) == ["note.create", "note.amend", "note.amend", "note.create"])
            #expect(changes.allSatisfy { $0.entry.subject == patient })
            for change in changes {
                guard case .sealed = change.entry.payload else { throw TestFailure("a note's text is not sealed") }
            }
            let log = try await PatientTests.accessLog(database, patient: patient)
            #expect(log.filter { $0.0 == "note.amend" }.map(\.2) == ["success", "success", "denied"])
            #expect(log.filter { $0.0 == "note.read" }.map(\.2).last == "denied")
        }
    }
}
