import Foundation
import Logging

/// Applies the policy to requests: fills in what the policy needs to know about the caller (the age of their
/// step-up) and turns a denial into the right answer.
struct AccessControl: Sendable {
    let policy: PolicySet
    let clock: @Sendable () -> Date
    let logger: Logger

    /// The decision for `principal` asking for `permission`, given what is known of their relation to the resource.
    func decide(_ principal: Principal, _ permission: Permission, facts: AccessFacts = AccessFacts()) -> PolicyDecision {
        var facts = facts
        facts.secondsSinceStepUp = principal.steppedUpAt.map { Int(clock().timeIntervalSince($0).rounded(.down)) }
        return policy.decide(roles: principal.roles, permission: permission, facts: facts)
    }

    /// Refuses with 403 unless the policy allows. For resources whose existence is no secret; PHI reads answer
    /// 404 instead (`PatientAccess`).
    func require(_ principal: Principal, _ permission: Permission, facts: AccessFacts = AccessFacts()) throws {
        let decision = decide(principal, permission, facts: facts)
        guard decision.allowed else {
            logDenial(principal, permission, decision)
            throw APIError.forbidden("Your roles do not allow \(permission).")
        }
    }

    func logDenial(_ principal: Principal, _ permission: Permission, _ decision: PolicyDecision) {
        logger.info("access denied", metadata: [
            "user_id": "\(principal.userID.text)", "permission": "\(permission)", "rule": "\(decision.rule?.id ?? "default deny")",
        ])
    }
}

/// The permissions the gateway asks for; each is in `Permission.catalog` (a test checks).
extension Permission {
    static let userRead = Permission(resource: "user", action: "read")
    static let userManage = Permission(resource: "user", action: "manage")
    static let sessionRead = Permission(resource: "session", action: "read")
    static let sessionRevoke = Permission(resource: "session", action: "revoke")

    static let patientCreate = Permission(resource: "patient", action: "create")
    static let patientRead = Permission(resource: "patient", action: "read")
    static let patientUpdate = Permission(resource: "patient", action: "update")
    static let patientArchive = Permission(resource: "patient", action: "archive")
    static let careTeamRead = Permission(resource: "care_team", action: "read")
    static let careTeamWrite = Permission(resource: "care_team", action: "write")
    static let breakGlassUse = Permission(resource: "break_glass", action: "use")
    static let breakGlassRead = Permission(resource: "break_glass", action: "read")
    static let patientShred = Permission(resource: "patient", action: "shred")
    static let noteRead = Permission(resource: "note", action: "read")
    static let noteWrite = Permission(resource: "note", action: "write")
    static let taskRead = Permission(resource: "task", action: "read")
    static let taskWrite = Permission(resource: "task", action: "write")
    static let disclosureRead = Permission(resource: "disclosure", action: "read")
    static let disclosureWrite = Permission(resource: "disclosure", action: "write")
    static let auditRead = Permission(resource: "audit", action: "read")
    /// Exporting signed audit bundles of the ledger (PHI stays sealed in them).
    static let ledgerExport = Permission(resource: "ledger", action: "export")
    /// Signing in or stepping up with a passkey that proved only presence (a touch), not who touched it.
    static let passkeyPresenceOnly = Permission(resource: "passkey", action: "presence_only")

    static let usedByGateway: [Permission] = [
        .userRead, .userManage, .sessionRead, .sessionRevoke, .patientCreate, .patientRead, .patientUpdate, .patientArchive,
        .patientShred, .careTeamRead, .careTeamWrite, .breakGlassUse, .breakGlassRead, .noteRead, .noteWrite, .taskRead, .taskWrite,
        .disclosureRead, .disclosureWrite, .auditRead, .ledgerExport, .passkeyPresenceOnly,
    ]
}
