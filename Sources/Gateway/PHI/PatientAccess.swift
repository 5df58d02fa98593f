import Foundation
import Ledger
import Logging
import PostgresNIO

/// The caller's relation to one patient, read in one query with the patient's record: what the policy's
/// conditions need.
struct PatientStanding: Sendable {
    /// The patient as they were when the relation was read.
    let record: PatientRecord
    /// The seq of the entry that last changed the record (its row's `ledger_seq`).
    let recordSeq: Int64
    let facts: AccessFacts

    var status: String { record.status }
}

/// What an allowed request on a patient's records may go on with.
struct PatientGrant: Sendable {
    let standing: PatientStanding
    /// Allowed only through a break-glass grant: the access is flagged as emergency treatment.
    let breakGlass: Bool
}

extension PatientGrant {
    /// Throws unless the patient is active: archived records are kept as they are, so no change reaches them.
    func requireActive() throws {
        guard standing.status == "active" else { throw PatientArchived() }
    }
}

/// A change refused because the patient is archived.
struct PatientArchived: Error, APIErrorConvertible {
    var apiError: APIError { .conflict("The patient is archived; archived records are kept as they are.") }
}

/// Decides requests on one patient's records: looks up the caller's relation to the patient, asks the policy, and
/// on denial records the attempt and answers 404 (or 403 when the caller may read the patient but not do this),
/// so that a patient's existence does not leak to those who may not see it.
struct PatientAccess: Sendable {
    let client: PostgresClient
    let access: AccessControl
    let recorder: AccessRecorder
    let clock: @Sendable () -> Date
    let logger: Logger

    /// The caller's standing toward `patientID`, or nil when there is no such patient.
    func standing(of principal: Principal, toward patientID: UUID) async throws -> PatientStanding? {
        let rows = try await client.execute(
            PatientStandingStatement(userID: principal.userID, now: clock(), patientID: patientID), logger: logger)
        for try await standing in rows { return standing }
        return nil
    }

    /// The caller's request on `patientID`, with their standing toward the patient read now.
    func request(by principal: Principal, on patientID: UUID) async throws -> PatientRequest {
        PatientRequest(principal: principal, patientID: patientID, standing: try await standing(of: principal, toward: patientID))
    }

    /// `authorize(_:_:action:)` for a caller whose standing toward the patient is still to be read.
    func authorize(_ principal: Principal, _ permission: Permission, patient patientID: UUID, action: String) async throws -> PatientGrant {
        try await authorize(try await request(by: principal, on: patientID), permission, action: action)
    }

    /// Allows `permission` on the request's patient or throws: 404 for no such patient or one the caller may not read
    /// (the attempt recorded as `action` with outcome denied), 403 when they may read it but not do this.
    func authorize(_ request: PatientRequest, _ permission: Permission, action: String) async throws -> PatientGrant {
        let (principal, patientID) = (request.principal, request.patientID)
        guard let standing = request.standing else { throw APIError.notFound }
        let decision = access.decide(principal, permission, facts: standing.facts)
        guard decision.allowed else {
            access.logDenial(principal, permission, decision)
            try await recorder.record(PHIAccess(
                principal: principal, action: action, patients: [patientID], resource: .init(type: "patient", id: patientID.text),
                outcome: .denied))
            if permission != .patientRead, access.decide(principal, .patientRead, facts: standing.facts).allowed {
                throw APIError.forbidden("Your roles do not allow \(permission) for this patient.")
            }
            throw APIError.notFound
        }
        return PatientGrant(standing: standing, breakGlass: decision.reliesOnBreakGlass)
    }

    /// The rows of a list that the policy allows `permission` on, in order, and whether any is allowed only
    /// through break-glass. A list's query only narrows the candidates (`PolicySet.reach`); each row is still
    /// decided by the policy itself.
    func allowed<Row>(_ rows: [(Row, AccessFacts)], _ permission: Permission, for principal: Principal) -> (rows: [Row], breakGlass: Bool) {
        var allowed: [Row] = []
        var breakGlass = false
        for (row, facts) in rows {
            let decision = access.decide(principal, permission, facts: facts)
            guard decision.allowed else { continue }
            allowed.append(row)
            breakGlass = breakGlass || decision.reliesOnBreakGlass
        }
        return (allowed, breakGlass)
    }

    /// The relation columns `r.on_care_team, r.break_glass` of a list row, read by name.
    static func facts(_ row: PostgresRow) throws -> AccessFacts {
        let relation = row.makeRandomAccess()
        return AccessFacts(onCareTeam: try relation["on_care_team"].decode(Bool.self), breakGlass: try relation["break_glass"].decode(Bool.self))
    }
}
