import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/patients/{id}/notes`: clinical notes, amended and never overwritten.
extension GatewayHandlers {
    func createNote(_ input: Operations.CreateNote.Input) async throws -> Operations.CreateNote.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let note = try await notes.create(
            on: request, kind: body.kind.rawValue, title: try FieldValidation.text(body.title, field: "title", maximum: 200),
            body: try FieldValidation.text(body.body, field: "body", maximum: 50_000, multiline: true))
        return .created(.init(body: .json(.init(note))))
    }

    func listNotes(_ input: Operations.ListNotes.Input) async throws -> Operations.ListNotes.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let page = try await notes.list(
            kind: input.query.kind?.rawValue, after: try PageCursor.decode(input.query.cursor, keys: 2),
            limit: try FieldValidation.limit(input.query.limit), on: request)
        return .ok(.init(body: .json(.init(notes: page.notes.map(Components.Schemas.Note.init), nextCursor: page.next.map(PageCursor.encode)))))
    }

    func getNote(_ input: Operations.GetNote.Input) async throws -> Operations.GetNote.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let noteID = try FieldValidation.pathID(input.path.noteId)
        let version = try FieldValidation.version(input.query.version, field: "version")
        return .ok(.init(body: .json(.init(try await notes.read(noteID, version: version, on: request)))))
    }

    func listNoteVersions(_ input: Operations.ListNoteVersions.Input) async throws -> Operations.ListNoteVersions.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let noteID = try FieldValidation.pathID(input.path.noteId)
        let versions = try await notes.history(noteID, on: request)
        return .ok(.init(body: .json(.init(versions: versions.map(Components.Schemas.Note.init)))))
    }

    func amendNote(_ input: Operations.AmendNote.Input) async throws -> Operations.AmendNote.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let noteID = try FieldValidation.pathID(input.path.noteId)
        let amends = try FieldValidation.version(body.amends, field: "amends")!
        let note = try await notes.amend(
            noteID, amends: amends, title: try body.title.map { try FieldValidation.text($0, field: "title", maximum: 200) },
            body: try FieldValidation.text(body.body, field: "body", maximum: 50_000, multiline: true),
            reason: try FieldValidation.text(body.reason, field: "reason", maximum: 500, multiline: true), on: request)
        return .created(.init(body: .json(.init(note))))
    }
}

extension Components.Schemas.Note {
    init(_ version: ClinicalNotes.Version) {
        self.init(
            id: version.noteID.text, patientId: version.patientID.text, kind: .init(rawValue: version.kind) ?? .other,
            version: version.version, latestVersion: version.latestVersion, title: version.title, body: version.body,
            reason: version.reason, authorId: version.authorID.text, recordedAt: version.recordedAt, createdAt: version.createdAt)
    }
}
