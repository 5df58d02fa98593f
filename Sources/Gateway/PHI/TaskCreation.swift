import Foundation
import Ledger
import PostgresNIO

/// One new care task as rows of statements that create the tasks of a whole batch of appends: the task, and its
/// links to its tags (making the tag names that are new).
struct TaskCreation: Sendable {
    let taskID: UUID
    let patientID: UUID
    let fields: CareTaskFields
    let createdBy: UUID

    /// The projection rows: the task, then its tags when it has any. Both only add rows, so they conflict with none.
    var rows: [BatchedRow] {
        var rows = [Self.tasks.row(self, conflictKey: nil)]
        if let tags = fields.tags, !tags.isEmpty { rows.append(Self.tagLinks.row(self, conflictKey: nil)) }
        return rows
    }

    /// The task as the statement leaves it, created by the append recorded at `time`: what a read of it returns.
    func task(at time: LedgerTimestamp) -> CareTask {
        CareTask(
            id: taskID, patientID: patientID, title: fields.title ?? "", status: fields.status ?? "open",
            priority: fields.priority ?? "normal", dueAt: dueAt?.storedDate, assigneeID: fields.assigneeID,
            tags: Array(Set(fields.tags ?? [])).sorted(), createdBy: createdBy, version: 1, createdAt: time.storedDate,
            updatedAt: time.storedDate)
    }

    private var dueAt: LedgerTimestamp? { fields.dueAt.map(LedgerTimestamp.init(nearest:)) }

    /// Optional values are bound as empty strings and absent times as a flag, since arrays bind no NULL elements.
    static let tasks = BatchProjector<TaskCreation>(group: "care_tasks.insert") { tasks, contexts, sql in
        let columns = [
            try sql.bind(tasks.map(\.taskID)) + "::uuid[]", try sql.bind(tasks.map(\.patientID)) + "::uuid[]",
            try sql.bind(tasks.map { $0.fields.title ?? "" }) + "::text[]",
            try sql.bind(tasks.map { $0.fields.status ?? "open" }) + "::text[]",
            try sql.bind(tasks.map { $0.fields.priority ?? "normal" }) + "::text[]",
            try sql.bind(tasks.map { $0.dueAt != nil }) + "::boolean[]",
            try sql.bind(tasks.map { $0.dueAt?.microsecondsSinceEpoch ?? 0 }) + "::bigint[]",
            try sql.bind(tasks.map { $0.fields.assigneeID?.text ?? "" }) + "::text[]",
            try sql.bind(tasks.map(\.createdBy)) + "::uuid[]", try sql.bind(contexts.map(\.seq)) + "::bigint[]",
            try sql.bind(contexts.map(\.recordedAt)) + "::timestamptz[]",
        ]
        sql.append("""
            INSERT INTO care_tasks (id, patient_id, title, status, priority, due_at, assignee_id, created_by, created_at,
                                    updated_at, ledger_seq)
            SELECT id, patient_id, title, status, priority, CASE WHEN has_due THEN micros_timestamp(due_at) END,
                   nullif(assignee_id, '')::uuid, created_by, recorded_at, recorded_at, seq
            FROM unnest(\(columns.joined(separator: ", ")))
                AS c(id, patient_id, title, status, priority, has_due, due_at, assignee_id, created_by, seq, recorded_at)
            """)
    }

    static let tagLinks = BatchProjector<TaskCreation>(group: "care_task_tags.insert") { tasks, _, sql in
        var taskIDs: [UUID] = [], names: [String] = []
        for task in tasks {
            for name in Set(task.fields.tags ?? []) {
                taskIDs.append(task.taskID)
                names.append(name)
            }
        }
        sql.append("""
            INSERT INTO care_task_tags (task_id, tag_id)
            SELECT l.task_id, t.tag_id
            FROM unnest(\(try sql.bind(taskIDs))::uuid[], \(try sql.bind(names))::text[]) AS l(task_id, tag_name)
            JOIN tag_ids(\(try sql.bind(Array(Set(names))))::text[]) t ON t.tag_name = l.tag_name
            """)
    }
}
