import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/patients/{id}/care-team`: who cares for a patient.
extension GatewayHandlers {
    func getCareTeam(_ input: Operations.GetCareTeam.Input) async throws -> Operations.GetCareTeam.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let members = try await careTeams.members(on: request)
        return .ok(.init(body: .json(.init(patientId: request.patientID.text, members: members.map(Components.Schemas.CareTeamMember.init)))))
    }

    func putCareTeamMember(_ input: Operations.PutCareTeamMember.Input) async throws -> Operations.PutCareTeamMember.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        let userID = try FieldValidation.uuid(input.path.userId, field: "userId")
        let member = try await careTeams.put(userID, teamRole: body.teamRole.rawValue, on: request)
        return .ok(.init(body: .json(.init(member))))
    }

    func removeCareTeamMember(_ input: Operations.RemoveCareTeamMember.Input) async throws -> Operations.RemoveCareTeamMember.Output {
        let request = try await signedIn(toward: try FieldValidation.pathID(input.path.patientId))
        try await careTeams.remove(try FieldValidation.pathID(input.path.userId), on: request)
        return .noContent(.init())
    }
}

extension Components.Schemas.CareTeamMember {
    init(_ member: CareTeams.Member) {
        self.init(userId: member.userID.text, name: member.name, teamRole: .init(rawValue: member.teamRole) ?? .other, addedAt: member.addedAt)
    }
}
