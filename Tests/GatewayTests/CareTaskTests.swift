import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

@Suite("Care tasks: filters, orders and cursor pages over a few hundred tasks, shared tags, care-team scope")
struct CareTaskTests {
    /// A task as the test made it, to compute what each query must return.
    struct Made: Sendable {
        let id: String
        let patient: String
        let title: String
        let status: String
        let priority: String
        let due: Date?
        let assignee: String
        let tags: Set<String>
        let index: Int
    }

    static let base = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
    static let statuses = ["open", "in_progress", "done", "cancelled"]
    static let priorities = ["low", "normal", "high", "urgent"]

    /// Every task a query returns, page by page, checking that no page is longer than `limit` and none repeats.
    static func everyPage(_ client: any TestClientProtocol, _ query: String, token: String, limit: Int = 23) async throws -> [String] {
        var ids: [String] = [], cursor: String?
        repeat {
            let separator = query.contains("?") ? "&" : "?"
            let page = try await client.call(
                .get, query + "\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            guard page.status == .ok, let tasks = page["tasks"] as? [[String: Any]] else {
                throw TestFailure("\(query) answered \(page.status): \(page.body)")
            }
            #expect(tasks.count <= limit)
            ids += tasks.compactMap { $0["id"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        #expect(Set(ids).count == ids.count, "\(query) repeated a task")
        return ids
    }

    /// The expected order: by `key` (nil sorts last), then by id as PostgreSQL compares uuids; reversed for `-`.
    static func ordered(_ tasks: [Made], by sort: String) -> [String] {
        let key: (Made) -> Double = { task in
            switch sort.trimmingCharacters(in: ["-"]) {
            case "due": task.due?.timeIntervalSince1970 ?? .infinity
            case "priority": Double(priorities.firstIndex(of: task.priority)!)
            default: Double(task.index)
            }
        }
        let ascending = tasks.sorted { key($0) != key($1) ? key($0) < key($1) : $0.id.lowercased() < $1.id.lowercased() }.map(\.id)
        return sort.hasPrefix("-") ? ascending.reversed() : ascending
    }

    @Test("300 tasks: every filter and every order, paged 23 at a time, match the tasks made; other teams' tasks never show")
    func filtersOrdersAndPages() async throws {
        try await AdministeredGateway.with { gateway in
            let database = gateway.database
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"])
                let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"])
                var patients: [String] = []
                for index in 0..<3 {
                    let body = PatientTests.chidi.merging(["mrn": "MRN-T\(index)"]) { $1 }
                    patients.append(try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: body)["id"] as? String))
                }
                #expect(try await client.call(.put, "/v1/patients/\(patients[0])/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"]).status == .ok)
                let bensPatient = try #require(try await client.call(
                    .post, "/v1/patients", token: ben.token, json: PatientTests.chidi.merging(["mrn": "MRN-B"]) { $1 })["id"] as? String)

                var made: [Made] = []
                for index in 0..<300 {
                    var tags: Set<String> = []
                    if index % 2 == 0 { tags.insert("bloods") }
                    if index % 5 == 0 { tags.insert("ward-7") }
                    let due = index % 10 == 0 ? nil : Self.base.addingTimeInterval(Double((index * 7) % 50) * 3600)
                    let task = Made(
                        id: "", patient: patients[index % 3], title: index % 4 == 0 ? "Repeat bloods \(index)" : "Review \(index)",
                        status: Self.statuses[index % 4], priority: Self.priorities[(index / 4) % 4], due: due,
                        assignee: index % 3 == 0 ? nia.id : ada.id, tags: tags, index: index)
                    var body: [String: Any] = [
                        "patientId": task.patient, "title": task.title, "status": task.status, "priority": task.priority,
                        "assigneeId": task.assignee, "tags": Array(tags),
                    ]
                    if let due { body["dueAt"] = due.formatted(.iso8601) }
                    let created = try await client.call(.post, "/v1/tasks", token: ada.token, json: body)
                    guard created.status == .created, let id = created["id"] as? String else {
                        throw TestFailure("creating task \(index) answered \(created.status): \(created.body)")
                    }
                    made.append(Made(
                        id: id, patient: task.patient, title: task.title, status: task.status, priority: task.priority, due: due,
                        assignee: task.assignee, tags: tags, index: index))
                }
                for index in 0..<5 {
                    let body: [String: Any] = ["patientId": bensPatient, "title": "Repeat bloods B\(index)", "tags": ["bloods", "ortho"]]
                    #expect(try await client.call(.post, "/v1/tasks", token: ben.token, json: body).status == .created)
                }

                for sort in ["due", "-due", "priority", "-priority", "created", "-created"] {
                    let ids = try await Self.everyPage(client, "/v1/tasks?sort=\(sort)", token: ada.token)
                    #expect(ids == Self.ordered(made, by: sort), "sort=\(sort)")
                }
                let window = (Self.base.addingTimeInterval(10 * 3600), Self.base.addingTimeInterval(20 * 3600))
                let filters: [(String, (Made) -> Bool)] = [
                    ("patientId=\(patients[1])", { $0.patient == patients[1] }),
                    ("status=done", { $0.status == "done" }),
                    ("priority=urgent", { $0.priority == "urgent" }),
                    ("assigneeId=\(nia.id)", { $0.assignee == nia.id }),
                    ("tag=ward-7", { $0.tags.contains("ward-7") }),
                    ("title=BLOODS", { $0.title.lowercased().contains("bloods") }),
                    ("dueFrom=\(window.0.formatted(.iso8601))&dueBefore=\(window.1.formatted(.iso8601))", { task in
                        task.due.map { $0 >= window.0 && $0 < window.1 } ?? false
                    }),
                    ("status=open&tag=bloods&priority=low", { $0.status == "open" && $0.tags.contains("bloods") && $0.priority == "low" }),
                ]
                for (query, matches) in filters {
                    for sort in ["due", "-priority"] {
                        let ids = try await Self.everyPage(client, "/v1/tasks?\(query)&sort=\(sort)", token: ada.token, limit: 17)
                        let expected = Self.ordered(made.filter(matches), by: sort)
                        #expect(!expected.isEmpty && ids == expected, "\(query) sort=\(sort)")
                    }
                }

                // The nurse sees only the tasks of the patient whose team she is on; Ben only his own.
                let niaSees = try await Self.everyPage(client, "/v1/tasks", token: nia.token, limit: 200)
                #expect(niaSees == Self.ordered(made.filter { $0.patient == patients[0] }, by: "due"))
                #expect(try await Self.everyPage(client, "/v1/tasks?tag=bloods", token: ben.token).count == 5)

                // Tags are one shared vocabulary: three names, each one row, however many tasks carry them.
                let tags = try await client.call(.get, "/v1/tags", token: nia.token)
                #expect(tags["tags"] as? [String] == ["bloods", "ortho", "ward-7"])
                let tagRows = try await database.withClient(database.ownerURL) { client in
                    try await client.query("SELECT count(*)::bigint FROM tags", logger: TestPostgres.logger).first(Int64.self)
                }
                #expect(tagRows == 3)

                // Changes: by version, with a stale version refused, clearing fields and replacing tags.
                let task = made[3]
                let changed = try await client.call(.patch, "/v1/tasks/\(task.id)", token: nia.token, json: [
                    "status": "done", "tags": ["ward-7"], "clear": ["dueAt"], "version": 1,
                ])
                #expect(changed.status == .ok)
                #expect(changed["version"] as? Int == 2 && changed["status"] as? String == "done" && changed["dueAt"] == nil)
                #expect(changed["tags"] as? [String] == ["ward-7"])
                #expect(try await client.call(.patch, "/v1/tasks/\(task.id)", token: ada.token, json: ["title": "x", "version": 1]).status == .conflict)
                #expect(try await client.call(.get, "/v1/tasks/\(task.id)", token: ben.token).status == .notFound)
                let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"])
                let notStaff = try await client.call(.patch, "/v1/tasks/\(task.id)", token: ada.token, json: ["assigneeId": cora.id])
                #expect(notStaff.status == .badRequest && notStaff["field"] as? String == "assigneeId")
                // Compliance audits access; it does not read care tasks.
                #expect(try await client.call(.get, "/v1/tasks", token: cora.token).status == .forbidden)

                let badSort = try await client.call(.get, "/v1/tasks?sort=title", token: ada.token)
                #expect(badSort.status == .badRequest && badSort["field"] as? String == "sort")
                #expect(try await client.call(.get, "/v1/tasks?dueBefore=soon", token: ada.token)["field"] as? String == "dueBefore")
                let badTag = try await client.call(.post, "/v1/tasks", token: ada.token, json: ["patientId": patients[0], "title": "t", "tags": ["Bad Tag"]])
                #expect(badTag.status == .badRequest && badTag["field"] as? String == "tags[0]")
                let forged = PageCursor.encode(["not-a-time", UUID().uuidString])
                #expect(try await client.call(.get, "/v1/tasks?cursor=\(forged)", token: ada.token)["field"] as? String == "cursor")
            }
            // One sealed entry per task created; each list recorded, naming the patients whose tasks it returned.
            let chain = try await gateway.verifiedChain()
            #expect(chain.filter { $0.entry.action == "task.create" && $0.entry.outcome == LedgerEntry.Outcome.success }.count == 305)
            #expect(chain.contains { $0.entry.action == "task.list" })
        }
    }

    /// The JSON of an answer with its keys sorted, to compare answers whole.
    static func canonical(_ body: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    @Test("tasks created at once, sharing tags old and new: each answer is exactly the task a read returns, tags in byte order")
    func concurrentCreationAnswersAsRead() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, admin in
                let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"])
                let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"])
                let patient = try #require(try await client.call(.post, "/v1/patients", token: ada.token, json: PatientTests.chidi)["id"] as? String)
                let old = try await client.call(.post, "/v1/tasks", token: ada.token, json: ["patientId": patient, "title": "Old", "tags": ["ward-7"]])
                #expect(old.status == .created || old.status == .ok)
                let created = try await withThrowingTaskGroup(of: (String?, Data).self) { group in
                    for index in 0..<12 {
                        var body: [String: any Sendable] = [
                            "patientId": patient, "title": "Task \(index)",
                            "tags": ["shared", "a:b", "a-b", "a_b", "ab", "ward-7", "only-\(index)", "shared"],
                        ]
                        if index % 2 == 0 { body["dueAt"] = "2026-12-0\(1 + index % 9)T08:15:30.123457Z" }
                        if index % 3 == 0 { body["assigneeId"] = nia.id }
                        if index % 4 == 0 { body["priority"] = "urgent" }
                        let request = body
                        group.addTask {
                            let answer = try await client.call(.post, "/v1/tasks", token: ada.token, json: request)
                            return (answer["id"] as? String, try Self.canonical(answer.body))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(created.count == 12)
                for (id, answer) in created {
                    let id = try #require(id, "\(String(decoding: answer, as: UTF8.self))")
                    let read = try await client.call(.get, "/v1/tasks/\(id)", token: ada.token)
                    #expect(try Self.canonical(read.body) == answer, "\(String(decoding: answer, as: UTF8.self))")
                    let tags = try #require(read["tags"] as? [String])
                    #expect(tags.count == 7 && tags == tags.sorted() && tags.first == "a-b")
                }
            }
            let tagNames = try await gateway.database.withClient(gateway.database.ownerURL) { client in
                try await client.query("SELECT count(*)::bigint FROM tags", logger: TestPostgres.logger).first(Int64.self)
            }
            // Six names shared by every task (one of them from before), and one of each task's own.
            #expect(tagNames == 18)
        }
    }
}
