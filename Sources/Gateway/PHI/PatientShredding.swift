import Foundation
import Ledger
import Logging
import PostgresNIO

/// Erases a patient by crypto-shredding (DESIGN §3): the patient's data key is destroyed, so every sealed payload
/// about them in the ledger can no longer be opened, and their projections are deleted, in the transaction of the
/// `patient.shred` entry. The chain keeps every entry and still verifies; the access log keeps its rows (ids only).
struct PatientShredding: Sendable {
    let patients: PatientAccess
    let logger: Logger

    /// What a shred removed.
    struct Receipt: Sendable, Equatable {
        let patientID: UUID
        let seq: Int64
        let shreddedAt: Date
    }

    /// Shreds the patient. The policy decides who may (as shipped: compliance officers who stepped up recently);
    /// the refusal says when a step-up is what is missing. `reason` is kept in clear in the ledger.
    func shred(_ patientID: UUID, reason: String, by principal: Principal) async throws -> Receipt {
        // A refusal answers 403 whether or not the patient exists, so it tells nothing about existence.
        let standing = try await patients.standing(of: principal, toward: patientID)
        let decision = patients.access.decide(principal, .patientShred, facts: standing?.facts ?? AccessFacts())
        guard decision.allowed else {
            patients.access.logDenial(principal, .patientShred, decision)
            let stepUpWouldAllow = decision.rule == nil && decision.notApplicable.contains { rule in
                rule.effect == .allow && rule.when.contains { if case .stepUp = $0 { true } else { false } }
            }
            throw APIError.forbidden(stepUpWouldAllow
                ? "Shredding needs a recent step-up: confirm with your passkey, then try again."
                : "Your roles do not allow \(Permission.patientShred).")
        }
        guard standing != nil else { throw APIError.notFound }
        let access = PHIAccess(
            principal: principal, action: "patient.shred", patients: [patientID], resource: .init(type: "patient", id: patientID.text))
        let receipt = try await patients.recorder.recordShred(access, payload: ["reason": .string(reason)]) { connection, _, logger in
            // Notes, tasks, disclosures, care team and break-glass grants go with the patient (ON DELETE CASCADE).
            let removed = try await connection.query("DELETE FROM patients WHERE id = \(patientID) RETURNING id", logger: logger)
            guard try await removed.first(UUID.self) != nil else { throw APIError.notFound }
        }
        logger.notice("patient crypto-shredded", metadata: ["user_id": "\(principal.userID.text)", "seq": "\(receipt.seq)"])
        return Receipt(patientID: patientID, seq: receipt.seq, shreddedAt: receipt.recordedAt.date)
    }
}
