import Foundation
import Ledger
import PostgresNIO

/// A care task as the projection holds it.
struct CareTask: RowDecodable, Equatable {
    let id: UUID
    let patientID: UUID
    let title: String
    let status: String
    let priority: String
    let dueAt: Date?
    let assigneeID: UUID?
    let tags: [String]
    let createdBy: UUID
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    static let statuses = ["open", "in_progress", "done", "cancelled"]
    /// Least to most urgent: the order of `priority` sorting.
    static let priorities = ["low", "normal", "high", "urgent"]

    /// The columns `init(_:)` reads (the tags in byte order, as Swift sorts them), first in a row, in this order, from `care_tasks t`.
    static let columns = """
        t.id, t.patient_id, t.title, t.status, t.priority, t.due_at, t.assignee_id,
        coalesce((SELECT array_agg(g.name ORDER BY g.name COLLATE "C") FROM care_task_tags tt JOIN tags g ON g.id = tt.tag_id
                  WHERE tt.task_id = t.id), '{}'::text[]),
        t.created_by, t.version, t.created_at, t.updated_at
        """
}

extension CareTask {
    init(_ row: PostgresRow) throws {
        (id, patientID, title, status, priority, dueAt, assigneeID, tags, createdBy, version, createdAt, updatedAt) = try row.decode(
            (UUID, UUID, String, String, String, Date?, UUID?, [String], UUID, Int, Date, Date).self)
    }
}

/// A task's fields, validated: what a create gives (title required) and a change gives in part.
struct CareTaskFields: Sendable, Equatable {
    var title: String?
    var status: String?
    var priority: String?
    var dueAt: Date?
    var assigneeID: UUID?
    /// Replaces the task's tags when given.
    var tags: [String]?
    var clearDueAt = false
    var clearAssignee = false

    var isEmpty: Bool {
        title == nil && status == nil && priority == nil && dueAt == nil && assigneeID == nil && tags == nil && !clearDueAt && !clearAssignee
    }

    /// The fields given, for the sealed ledger payload.
    var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let title { object["title"] = .string(title) }
        if let status { object["status"] = .string(status) }
        if let priority { object["priority"] = .string(priority) }
        if let dueAt { object["dueAt"] = .string(LedgerTimestamp(nearest: dueAt).description) }
        if let assigneeID { object["assigneeId"] = .string(assigneeID.text) }
        if let tags { object["tags"] = .array(tags.map(JSONValue.string)) }
        if clearDueAt { object["dueAt"] = .null }
        if clearAssignee { object["assigneeId"] = .null }
        return .object(object)
    }

    /// A tag: 1 to 40 of lower-case letters, digits, `_`, `:` and `-`, starting with a letter or digit. Tags are
    /// shared across all tasks, so they are labels, never free text that could carry PHI.
    static func tag(_ value: String, field: String) throws -> String {
        let scalars = Array(value.unicodeScalars)
        let first: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard (1...40).contains(scalars.count), first(scalars[0]),
              scalars.allSatisfy({ first($0) || $0 == "_" || $0 == ":" || $0 == "-" })
        else { throw APIError.invalidField(field, "Give a tag of 1 to 40 lower-case letters, digits, '_', ':' or '-'.") }
        return value
    }

    /// At most 20 distinct tags, sorted.
    static func tags(_ values: [String], field: String) throws -> [String] {
        guard values.count <= 20 else { throw APIError.invalidField(field, "Give at most 20 tags.") }
        let tags = try values.enumerated().map { try tag($0.element, field: "\(field)[\($0.offset)]") }
        return Array(Set(tags)).sorted()
    }
}
