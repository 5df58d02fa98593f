import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/tasks` and `/v1/tags`: care tasks, with filters, orders and shared tags.
extension GatewayHandlers {
    func createTask(_ input: Operations.CreateTask.Input) async throws -> Operations.CreateTask.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.uuid(body.patientId, field: "patientId"))
        let fields = CareTaskFields(
            title: try FieldValidation.text(body.title, field: "title", maximum: 200), status: body.status?.rawValue,
            priority: body.priority?.rawValue, dueAt: body.dueAt,
            assigneeID: try body.assigneeId.map { try FieldValidation.uuid($0, field: "assigneeId") },
            tags: try body.tags.map { try CareTaskFields.tags($0, field: "tags") })
        return .created(.init(body: .json(.init(try await tasks.create(fields, on: request)))))
    }

    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        let principal = try await signedIn()
        guard let id = UUID(uuidString: input.path.taskId) else { throw APIError.notFound }
        return .ok(.init(body: .json(.init(try await tasks.read(id, by: principal)))))
    }

    func updateTask(_ input: Operations.UpdateTask.Input) async throws -> Operations.UpdateTask.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let principal = try await signedIn()
        guard let id = UUID(uuidString: input.path.taskId) else { throw APIError.notFound }
        let clear = Set((body.clear ?? []).map(\.rawValue))
        var fields = CareTaskFields(
            title: try body.title.map { try FieldValidation.text($0, field: "title", maximum: 200) }, status: body.status?.rawValue,
            priority: body.priority?.rawValue, dueAt: body.dueAt,
            assigneeID: try body.assigneeId.map { try FieldValidation.uuid($0, field: "assigneeId") },
            tags: try body.tags.map { try CareTaskFields.tags($0, field: "tags") })
        fields.clearDueAt = clear.contains("dueAt")
        fields.clearAssignee = clear.contains("assigneeId")
        if fields.clearDueAt, fields.dueAt != nil { throw APIError.invalidField("clear", "Either set dueAt or clear it, not both.") }
        if fields.clearAssignee, fields.assigneeID != nil {
            throw APIError.invalidField("clear", "Either set assigneeId or clear it, not both.")
        }
        guard !fields.isEmpty else { throw APIError.badRequest("Give at least one field to change.") }
        let version = try FieldValidation.version(body.version, field: "version")
        return .ok(.init(body: .json(.init(try await tasks.update(id, fields, expectedVersion: version, by: principal)))))
    }

    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let principal = try await signedIn()
        let query = input.query
        let filter = CareTasks.Filter(
            patientID: try query.patientId.map { try FieldValidation.uuid($0, field: "patientId") },
            title: try query.title.map { try FieldValidation.text($0, field: "title", maximum: 200) },
            status: query.status?.rawValue, priority: query.priority?.rawValue,
            assigneeID: try query.assigneeId.map { try FieldValidation.uuid($0, field: "assigneeId") },
            tag: try query.tag.map { try CareTaskFields.tag($0, field: "tag") }, dueFrom: query.dueFrom, dueBefore: query.dueBefore)
        guard let order = CareTasks.Order(rawValue: query.sort?.rawValue ?? "due") else {
            throw APIError.invalidField("sort", "Sort by due, priority or created, with '-' for the reverse.")
        }
        let page = try await tasks.list(
            filter, order: order, after: try PageCursor.decode(query.cursor, keys: 2), limit: try FieldValidation.limit(query.limit),
            by: principal)
        return .ok(.init(body: .json(.init(tasks: page.tasks.map(Components.Schemas.Task.init), nextCursor: page.next.map(PageCursor.encode)))))
    }

    func listTags(_ input: Operations.ListTags.Input) async throws -> Operations.ListTags.Output {
        let principal = try await signedIn()
        return .ok(.init(body: .json(.init(tags: try await tasks.tags(by: principal)))))
    }
}

extension Components.Schemas.Task {
    init(_ task: CareTask) {
        self.init(
            id: task.id.text, patientId: task.patientID.text, title: task.title, status: .init(rawValue: task.status) ?? .open,
            priority: .init(rawValue: task.priority) ?? .normal, dueAt: task.dueAt, assigneeId: task.assigneeID?.text, tags: task.tags,
            createdBy: task.createdBy.text, version: task.version, createdAt: task.createdAt, updatedAt: task.updatedAt)
    }
}
