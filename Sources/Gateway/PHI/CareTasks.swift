import Foundation
import Ledger
import Logging
import PostgresNIO

/// Care tasks: each change a ledger entry (the fields sealed under the patient's data key) written with the
/// projection in one transaction; each list recorded as one entry naming the patients whose tasks it returned.
struct CareTasks: Sendable {
    let client: PostgresClient
    let patients: PatientAccess
    let clock: @Sendable () -> Date
    let logger: Logger

    enum Refusal: Error, Equatable {
        case changedMeanwhile
        /// The assignee is not an active account with a clinical role.
        case notClinicalStaff
    }

    func create(_ fields: CareTaskFields, on request: PatientRequest) async throws -> CareTask {
        let (patientID, principal) = (request.patientID, request.principal)
        guard fields.title != nil else { throw APIError.invalidField("title", "Give a title.") }
        let grant = try await patients.authorize(request, .taskWrite, action: "task.create")
        try grant.requireActive()
        try await checkAssignee(fields.assigneeID)
        let id = UUID.random()
        let payload = fields.json.adding(["taskId": .string(id.text)])
        let access = PHIAccess(
            principal: principal, action: "task.create", patients: [patientID], resource: .init(type: "task", id: id.text),
            breakGlass: grant.breakGlass)
        let creation = TaskCreation(taskID: id, patientID: patientID, fields: fields, createdBy: principal.userID)
        let receipt = try await patients.recorder.recordChange(access, payload: payload, batched: creation.rows)
        return creation.task(at: receipt.recordedAt)
    }

    /// The task, after the read is recorded.
    func read(_ id: UUID, by principal: Principal) async throws -> CareTask {
        let patientID = try await patient(of: id)
        let grant = try await patients.authorize(principal, .taskRead, patient: patientID, action: "task.read")
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: "task.read", patients: [patientID], resource: .init(type: "task", id: id.text),
            breakGlass: grant.breakGlass))
        let rows = try await client.query("SELECT \(unescaped: CareTask.columns) FROM care_tasks t WHERE t.id = \(id)", logger: logger)
        guard let task = try await CareTask.decode(rows).first else { throw APIError.notFound }
        return task
    }

    /// Changes the fields given; with `expectedVersion`, only if the task is still at that version.
    func update(_ id: UUID, _ fields: CareTaskFields, expectedVersion: Int?, by principal: Principal) async throws -> CareTask {
        let patientID = try await patient(of: id)
        let grant = try await patients.authorize(principal, .taskWrite, patient: patientID, action: "task.update")
        try grant.requireActive()
        try await checkAssignee(fields.assigneeID)
        var payload = fields.json.adding(["taskId": .string(id.text)])
        if let expectedVersion { payload = payload.adding(["fromVersion": .number(Double(expectedVersion))]) }
        let access = PHIAccess(
            principal: principal, action: "task.update", patients: [patientID], resource: .init(type: "task", id: id.text),
            breakGlass: grant.breakGlass)
        let dueAt = fields.dueAt.map(LedgerTimestamp.init(nearest:))
        return try await patients.recorder.recordChange(access, payload: payload, otherwise: Refusal.changedMeanwhile) {
            connection, context, logger in
            let updated = try await connection.query(
                """
                UPDATE care_tasks SET
                    title = coalesce(\(fields.title), title), status = coalesce(\(fields.status), status),
                    priority = coalesce(\(fields.priority), priority),
                    due_at = CASE WHEN \(fields.clearDueAt) THEN NULL ELSE coalesce(\(dueAt), due_at) END,
                    assignee_id = CASE WHEN \(fields.clearAssignee) THEN NULL ELSE coalesce(\(fields.assigneeID), assignee_id) END,
                    version = version + 1, updated_at = \(context.recordedAt), ledger_seq = \(context.seq)
                WHERE id = \(id) AND (\(expectedVersion)::integer IS NULL OR version = \(expectedVersion))
                RETURNING id
                """, logger: logger)
            guard try await updated.first(UUID.self) != nil else { return nil }
            if let tags = fields.tags { try await Self.setTags(tags, of: id, on: connection, logger: logger) }
            return try await Self.fetch(id, on: connection, logger: logger)
        }
    }

    /// What a task list is narrowed to; every criterion given must hold.
    struct Filter: Sendable {
        var patientID: UUID?
        /// Part of the title, any case.
        var title: String?
        var status: String?
        var priority: String?
        var assigneeID: UUID?
        var tag: String?
        /// Due at or after.
        var dueFrom: Date?
        /// Due before.
        var dueBefore: Date?
    }

    /// The orders a task list can come in; the task id breaks ties, so every order is total.
    enum Order: String, Sendable, CaseIterable {
        case due, dueDescending = "-due", priority, priorityDescending = "-priority", created, createdDescending = "-created"

        var descending: Bool { rawValue.hasPrefix("-") }

        /// The sort expression; a task with no due time sorts after every due one.
        var expression: String {
            switch self {
            case .due, .dueDescending: "coalesce(t.due_at, 'infinity'::timestamptz)"
            case .priority, .priorityDescending: "t.priority_rank"
            case .created, .createdDescending: "t.created_at"
            }
        }

        /// The expression a cursor key, bound as text at `placeholder`, is turned back into: of the sort
        /// expression's type, so that the comparison is exact.
        func keyExpression(_ placeholder: String) -> String {
            switch self {
            case .due, .dueDescending:
                "(CASE WHEN \(placeholder) = 'none' THEN 'infinity'::timestamptz ELSE micros_timestamp(\(placeholder)::bigint) END)"
            case .priority, .priorityDescending: "\(placeholder)::smallint"
            case .created, .createdDescending: "micros_timestamp(\(placeholder)::bigint)"
            }
        }

        func key(of task: CareTask) -> String {
            switch self {
            case .due, .dueDescending: task.dueAt.map(PageCursor.key) ?? "none"
            case .priority, .priorityDescending: String((CareTask.priorities.firstIndex(of: task.priority) ?? 0) + 1)
            case .created, .createdDescending: PageCursor.key(task.createdAt)
            }
        }
    }

    /// One page of the tasks the caller may read, in `order`; recorded as one `task.list` entry naming the
    /// patients whose tasks it returned.
    func list(_ filter: Filter, order: Order, after cursor: [String]?, limit: Int, by principal: Principal) async throws
        -> (tasks: [CareTask], next: [String]?) {
        let reach = patients.access.policy.reach(roles: principal.roles, permission: .taskRead)
        guard !reach.isEmpty else {
            try patients.access.require(principal, .taskRead)
            return ([], nil)
        }
        let query = try Self.listQuery(filter, order: order, after: cursor, limit: limit, reach: reach, for: principal.userID, at: clock())
        let rows = try await client.query(query, logger: logger)
        var found: [(CareTask, AccessFacts)] = []
        for try await row in rows { found.append((try CareTask(row), try PatientAccess.facts(row))) }
        let page = PageCursor.page(found, limit: limit) { [order.key(of: $0.0), $0.0.id.text] }
        let (allowed, breakGlass) = patients.allowed(page.items, .taskRead, for: principal)
        try await patients.recorder.record(PHIAccess(
            principal: principal, action: "task.list", patients: Array(Set(allowed.map(\.patientID))).sorted { $0.text < $1.text },
            resource: .init(type: "task", id: "*"), breakGlass: breakGlass))
        return (allowed, page.next)
    }

    /// The query of a task-list page: the filters given, the cursor's keyset condition, the policy's reach, and
    /// one row more than the page to tell whether another follows. Only given filters enter the statement, so the
    /// planner sees each query's real shape.
    static func listQuery(
        _ filter: Filter, order: Order, after cursor: [String]?, limit: Int, reach: PolicyReach, for userID: UUID, at now: Date
    ) throws -> PostgresQuery {
        var sql = StatementBuilder()
        sql.append("""
            SELECT \(CareTask.columns), r.on_care_team, r.break_glass
            FROM care_tasks t, patient_relation(t.patient_id, \(try sql.bind(userID)), \(try sql.bind(now))) r
            WHERE (\(reach.everything) OR (\(reach.through.contains(.careTeam)) AND r.on_care_team)
                   OR (\(reach.through.contains(.breakGlass)) AND r.break_glass))
            """)
        if let cursor {
            guard order.key(validating: cursor[0]) != nil else {
                throw APIError.invalidField("cursor", "Pass back a nextCursor value exactly as it was given.")
            }
            let afterID = try FieldValidation.uuid(cursor[1], field: "cursor")
            sql.append("""

                  AND (\(order.expression), t.id) \(order.descending ? "<" : ">") (\(order.keyExpression(try sql.bind(cursor[0]))), \(try sql.bind(afterID)))
                """)
        }
        if let patientID = filter.patientID { sql.append("\n  AND t.patient_id = \(try sql.bind(patientID))") }
        if let title = filter.title {
            sql.append("\n  AND lower(t.title) LIKE \(try sql.bind("%" + PatientRegistry.likeEscaped(title.lowercased()) + "%"))")
        }
        if let status = filter.status { sql.append("\n  AND t.status = \(try sql.bind(status))") }
        if let priority = filter.priority { sql.append("\n  AND t.priority = \(try sql.bind(priority))") }
        if let assigneeID = filter.assigneeID { sql.append("\n  AND t.assignee_id = \(try sql.bind(assigneeID))") }
        if let tag = filter.tag {
            sql.append("""

                  AND EXISTS (SELECT 1 FROM care_task_tags tt JOIN tags g ON g.id = tt.tag_id
                              WHERE tt.task_id = t.id AND g.name = \(try sql.bind(tag)))
                """)
        }
        if let dueFrom = filter.dueFrom { sql.append("\n  AND t.due_at >= \(try sql.bind(dueFrom))") }
        if let dueBefore = filter.dueBefore { sql.append("\n  AND t.due_at < \(try sql.bind(dueBefore))") }
        let direction = order.descending ? "DESC" : "ASC"
        sql.append("\nORDER BY \(order.expression) \(direction), t.id \(direction) LIMIT \(limit + 1)")
        return sql.query
    }

    /// Every tag in use, by name: the shared vocabulary clients offer when labelling a task.
    func tags(by principal: Principal) async throws -> [String] {
        guard !patients.access.policy.reach(roles: principal.roles, permission: .taskRead).isEmpty else {
            try patients.access.require(principal, .taskRead)
            return []
        }
        let rows = try await client.query(
            "SELECT name FROM tags g WHERE EXISTS (SELECT 1 FROM care_task_tags tt WHERE tt.tag_id = g.id) ORDER BY name",
            logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// The patient a task belongs to; 404 when there is no such task.
    private func patient(of taskID: UUID) async throws -> UUID {
        let rows = try await client.query("SELECT patient_id FROM care_tasks WHERE id = \(taskID)", logger: logger)
        guard let patientID = try await rows.first(UUID.self) else { throw APIError.notFound }
        return patientID
    }

    private func checkAssignee(_ assigneeID: UUID?) async throws {
        guard let assigneeID else { return }
        guard try await CareTeams.clinicalStaffName(assigneeID, client: client, logger: logger) != nil else { throw Refusal.notClinicalStaff }
    }

    /// Replaces the task's tags, adding names not yet in the shared vocabulary.
    private static func setTags(_ tags: [String], of taskID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(
            "INSERT INTO tags (name) SELECT unnest(\(tags)::text[]) ON CONFLICT (name) DO NOTHING", logger: logger)
        try await connection.run(
            """
            DELETE FROM care_task_tags WHERE task_id = \(taskID)
              AND tag_id NOT IN (SELECT id FROM tags WHERE name = ANY(\(tags)::text[]))
            """, logger: logger)
        try await connection.run(
            """
            INSERT INTO care_task_tags (task_id, tag_id) SELECT \(taskID), id FROM tags WHERE name = ANY(\(tags)::text[])
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private static func fetch(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> CareTask? {
        try await CareTask.decode(connection.query("SELECT \(unescaped: CareTask.columns) FROM care_tasks t WHERE t.id = \(id)", logger: logger)).first
    }
}

extension CareTasks.Order {
    /// Whether `key` could have come from this order's `key(of:)`; nil when not.
    func key(validating key: String) -> String? {
        switch self {
        case .due, .dueDescending: key == "none" || Int64(key) != nil ? key : nil
        case .priority, .priorityDescending: Int(key).flatMap { (1...CareTask.priorities.count).contains($0) ? key : nil }
        case .created, .createdDescending: Int64(key) != nil ? key : nil
        }
    }
}

extension CareTasks.Refusal: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .changedMeanwhile: .conflict("The task was changed meanwhile; read it again and retry.")
        case .notClinicalStaff: .invalidField("assigneeId", "Assign the task to an active account with the clinician or nurse role.")
        }
    }
}
