import Foundation
import Ledger
import Logging
import PostgresNIO
import Synchronization

/// One access to patients' records, as the ledger and the access log keep it.
struct PHIAccess: Sendable {
    let principal: Principal
    /// `patient.read`, `patient.list`, `care_team.read`...
    let action: String
    let patients: [UUID]
    var resource: LedgerEntry.ResourceReference?
    var outcome: LedgerEntry.Outcome = .success
    /// The policy allowed it only through a break-glass grant.
    var breakGlass = false
}

/// Records PHI reads before their answers are sent (DESIGN §3): one ledger entry per request, and one access-log
/// row per patient it touched, written together. If the entry cannot be written the read fails with 503 rather
/// than returning unrecorded PHI.
struct AccessRecorder: Sendable {
    let writer: LedgerWriter
    let logger: Logger

    /// Appends the access. Throws `APIError.unavailable` when it could not be recorded.
    func record(_ access: PHIAccess) async throws {
        let draft = Self.draft(for: access)
        do {
            _ = try await writer.append(draft, projection: Self.accessLog.project(
                AccessLogRows(access), conflictKey: nil))
        } catch {
            logger.error("PHI access could not be recorded; the read is refused", metadata: [
                "action": "\(access.action)", "error_type": "\(type(of: error))",
            ])
            throw APIError.unavailable("The access could not be recorded in the ledger, so nothing is returned. Try again shortly.")
        }
    }

    /// Appends a change to patients' records, recorded as `access` with `payload` sealed under the patient's key;
    /// `change` and the access-log rows are its projection, in the entry's transaction.
    @discardableResult
    func recordChange(_ access: PHIAccess, payload: JSONValue, _ change: @escaping ProjectionUpdate) async throws -> AppendReceipt {
        let draft = Self.draft(for: access, payload: .phi(payload))
        return try await writer.append(draft) { connection, context, logger in
            try await change(connection, context, logger)
            try await Self.logChange(access, on: connection, context: context, logger: logger)
        }
    }

    /// Appends a change to patients' records, recorded as `access` with `payload` sealed under the patient's key,
    /// whose projection is `change`: rows of batched projectors, written with the access-log rows and the neighbouring
    /// appends' rows in the statement that records the batch. A row whose precondition no longer holds fails the
    /// append with `BatchStatement.preconditionFailed`, nothing written.
    func recordChange(_ access: PHIAccess, payload: JSONValue, batched change: [BatchedRow]) async throws -> AppendReceipt {
        let draft = Self.draft(for: access, payload: .phi(payload))
        return try await writer.append(draft, projection: .batched(change + [Self.accessLog.row(AccessLogRows(access), conflictKey: nil)]))
    }

    /// Crypto-shreds the one patient `access` names: appends the entry (its payload in clear, since no key will be
    /// left to open it), destroys the patient's data key and runs `removal` with the access-log row, in one
    /// transaction.
    func recordShred(_ access: PHIAccess, payload: JSONValue, _ removal: @escaping ProjectionUpdate) async throws -> AppendReceipt {
        guard access.patients.count == 1 else { throw LedgerWriteError.phiWithoutSubject }
        let draft = Self.draft(for: access, payload: .clear(payload))
        return try await writer.shred(subject: access.patients[0].text, draft: draft) { connection, context, logger in
            try await removal(connection, context, logger)
            try await Self.logChange(access, on: connection, context: context, logger: logger)
        }
    }

    /// `recordChange` for a change that makes something and hands it back: `change` returns nil when it does not
    /// apply, and then `refusal` is thrown with nothing written.
    func recordChange<Made: Sendable>(
        _ access: PHIAccess, payload: JSONValue, otherwise refusal: any Error,
        making change: @escaping @Sendable (PostgresConnection, AppendContext, Logger) async throws -> Made?
    ) async throws -> Made {
        let made = Mutex<Made?>(nil)
        try await recordChange(access, payload: payload) { connection, context, logger in
            guard let result = try await change(connection, context, logger) else { throw refusal }
            made.withLock { $0 = result }
        }
        guard let result = made.withLock({ $0 }) else { throw refusal }
        return result
    }

    /// The ledger entry of an access made by the request being served (its id and client address, when there is
    /// one): the patient as subject when there is one, else their ids in the payload.
    private static func draft(for access: PHIAccess, payload: DraftPayload? = nil) -> EntryDraft {
        let scope = RequestScope.current
        let single = access.patients.count == 1 ? access.patients[0] : nil
        return EntryDraft(
            actor: access.principal.actor(clientAddress: scope?.clientAddress), action: access.action, resource: access.resource,
            subject: single?.text, purposeOfUse: purposeOfUse(access), requestID: scope?.requestID, outcome: access.outcome,
            payload: payload ?? (single == nil ? .clear(["patients": .array(access.patients.map { .string($0.text) })]) : .none))
    }

    /// HL7 v3 PurposeOfUse codes: emergency treatment under break-glass, else by the caller's kind of work.
    static func purposeOfUse(_ access: PHIAccess) -> String {
        if access.breakGlass { return "ETREAT" }
        let roles = Set(access.principal.roles)
        if !roles.isDisjoint(with: [Role.clinician.rawValue, Role.nurse.rawValue]) { return "TREAT" }
        if !roles.isDisjoint(with: [Role.complianceOfficer.rawValue, Role.securityReviewer.rawValue]) { return "HCOMPL" }
        return "HOPERAT"
    }

    /// Writes one access-log row per patient, batched across the appends of a transaction.
    static let accessLog = BatchProjector<AccessLogRows>(group: "phi_access.insert") { rows, contexts, sql in
        var seqs: [Int64] = [], patients: [UUID] = [], times: [LedgerTimestamp] = [], users: [UUID] = [], actions: [String] = []
        var outcomes: [String] = [], breakGlass: [Bool] = []
        for (row, context) in zip(rows, contexts) {
            for patient in row.patients {
                seqs.append(context.seq)
                patients.append(patient)
                times.append(context.recordedAt)
                users.append(row.userID)
                actions.append(row.action)
                outcomes.append(row.outcome)
                breakGlass.append(row.breakGlass)
            }
        }
        sql.append("""
            INSERT INTO phi_access (ledger_seq, patient_id, recorded_at, user_id, action, outcome, break_glass)
            SELECT * FROM unnest(\(try sql.bind(seqs))::bigint[], \(try sql.bind(patients))::uuid[], \(try sql.bind(times))::timestamptz[],
                \(try sql.bind(users))::uuid[], \(try sql.bind(actions))::text[], \(try sql.bind(outcomes))::text[],
                \(try sql.bind(breakGlass))::boolean[])
            """)
    }

    /// The access-log rows of a change, written by the change's own projection.
    private static func logChange(_ access: PHIAccess, on connection: PostgresConnection, context: AppendContext, logger: Logger) async throws {
        let at = context.recordedAt
        for patient in access.patients {
            try await connection.run(
                """
                INSERT INTO phi_access (ledger_seq, patient_id, recorded_at, user_id, action, outcome, break_glass)
                VALUES (\(context.seq), \(patient), \(at), \(access.principal.userID), \(access.action), \(access.outcome.rawValue),
                        \(access.breakGlass))
                """, logger: logger)
        }
    }
}

/// The access-log rows of one append.
struct AccessLogRows: Sendable {
    let userID: UUID
    let patients: [UUID]
    let action: String
    let outcome: String
    let breakGlass: Bool

    init(_ access: PHIAccess) {
        userID = access.principal.userID
        patients = access.patients
        action = access.action
        outcome = access.outcome.rawValue
        breakGlass = access.breakGlass
    }
}
