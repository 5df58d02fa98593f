import Foundation
import GatewayAPI
import OpenAPIRuntime

/// `/v1/patients/{id}/care-team`: who cares for a patient.
extension GatewayHandlers {
    func getCareTeam(_ input: Operations.GetCareTeam.Input) async throws -> Operations.GetCareTeam.Output {
        let principal = try await signedIn()
        guard let patientID = UUID(uuidString: input.path.patientId) else { throw APIError.notFound }
        let members = try await careTeams.members(of: patientID, by: principal)
        return .ok(.init(body: .json(.init(patientId: patientID.text, members: members.map(Components.Schemas.CareTeamMember.init)))))
    }

    func putCareTeamMember(_ input: Operations.PutCareTeamMember.Input) async throws -> Operations.PutCareTeamMember.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let principal = try await signedIn()
        guard let patientID = UUID(uuidString: input.path.patientId) else { throw APIError.notFound }
        let userID = try FieldValidation.uuid(input.path.userId, field: "userId")
        let member = try await careTeams.put(userID, teamRole: body.teamRole.rawValue, on: patientID, by: principal)
        return .ok(.init(body: .json(.init(member))))
    }

    func removeCareTeamMember(_ input: Operations.RemoveCareTeamMember.Input) async throws -> Operations.RemoveCareTeamMember.Output {
        let principal = try await signedIn()
        guard let patientID = UUID(uuidString: input.path.patientId), let userID = UUID(uuidString: input.path.userId) else {
            throw APIError.notFound
        }
        try await careTeams.remove(userID, from: patientID, by: principal)
        return .noContent(.init())
    }
}

extension Components.Schemas.CareTeamMember {
    init(_ member: CareTeams.Member) {
        self.init(userId: member.userID.text, name: member.name, teamRole: .init(rawValue: member.teamRole) ?? .other, addedAt: member.addedAt)
    }
}
