import Foundation
import Ledger
import Logging
import PostgresNIO

/// Who accessed which patient when, from the access log (`phi_access`), for compliance officers: filtered,
/// sorted by any field, a page at a time. Reading the audit trail is itself recorded, as an `audit.read` entry.
struct AccessAudit: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let access: AccessControl
    let logger: Logger

    /// One recorded access to one patient.
    struct Access: RowDecodable, Equatable {
        let seq: Int64
        let patientID: UUID
        let recordedAt: Date
        let userID: UUID
        let action: String
        let outcome: String
        let breakGlass: Bool

        static let columns = "ledger_seq, patient_id, recorded_at, user_id, action, outcome, break_glass"

        init(_ row: PostgresRow) throws {
            (seq, patientID, recordedAt, userID, action, outcome, breakGlass) = try row.decode(
                (Int64, UUID, Date, UUID, String, String, Bool).self)
        }
    }

    struct Filter: Sendable, Equatable {
        var userID: UUID?
        var patientID: UUID?
        var action: String?
        var outcome: String?
        var breakGlass: Bool?
        /// Recorded at or after.
        var from: Date?
        /// Recorded before.
        var before: Date?

        /// The filter as the `audit.read` entry records it: ids and codes only.
        var json: JSONValue {
            var object: [String: JSONValue] = [:]
            if let userID { object["userId"] = .string(userID.text) }
            if let patientID { object["patientId"] = .string(patientID.text) }
            if let action { object["action"] = .string(action) }
            if let outcome { object["outcome"] = .string(outcome) }
            if let breakGlass { object["breakGlass"] = .bool(breakGlass) }
            if let from { object["from"] = .string(LedgerTimestamp(from).description) }
            if let before { object["before"] = .string(LedgerTimestamp(before).description) }
            return .object(object)
        }
    }

    /// The fields the log can be sorted by, ascending or (with `-`) descending; the row's key (seq, patient) breaks
    /// ties, so every order is total and pages neither skip nor repeat.
    enum Order: String, Sendable, CaseIterable {
        case recordedAt, recordedAtDescending = "-recordedAt"
        case userId, userIdDescending = "-userId"
        case patientId, patientIdDescending = "-patientId"
        case action, actionDescending = "-action"
        case outcome, outcomeDescending = "-outcome"
        case breakGlass, breakGlassDescending = "-breakGlass"
        case seq, seqDescending = "-seq"

        var descending: Bool { rawValue.hasPrefix("-") }

        var column: String {
            switch self {
            case .recordedAt, .recordedAtDescending: "recorded_at"
            case .userId, .userIdDescending: "user_id"
            case .patientId, .patientIdDescending: "patient_id"
            case .action, .actionDescending: "action"
            case .outcome, .outcomeDescending: "outcome"
            case .breakGlass, .breakGlassDescending: "break_glass"
            case .seq, .seqDescending: "ledger_seq"
            }
        }

        /// The cursor key bound at `placeholder` as text, turned into the column's type.
        func keyExpression(_ placeholder: String) -> String {
            switch self {
            case .recordedAt, .recordedAtDescending: "micros_timestamp(\(placeholder)::bigint)"
            case .userId, .userIdDescending, .patientId, .patientIdDescending: "\(placeholder)::uuid"
            case .action, .actionDescending, .outcome, .outcomeDescending: "\(placeholder)::text"
            case .breakGlass, .breakGlassDescending: "\(placeholder)::boolean"
            case .seq, .seqDescending: "\(placeholder)::bigint"
            }
        }

        func key(of access: Access) -> String {
            switch self {
            case .recordedAt, .recordedAtDescending: PageCursor.key(access.recordedAt)
            case .userId, .userIdDescending: access.userID.text
            case .patientId, .patientIdDescending: access.patientID.text
            case .action, .actionDescending: access.action
            case .outcome, .outcomeDescending: access.outcome
            case .breakGlass, .breakGlassDescending: String(access.breakGlass)
            case .seq, .seqDescending: String(access.seq)
            }
        }

        /// Whether `key` could have come from `key(of:)`, so that a tampered cursor is a 400, not a database error.
        func accepts(_ key: String) -> Bool {
            switch self {
            case .recordedAt, .recordedAtDescending, .seq, .seqDescending: Int64(key) != nil
            case .userId, .userIdDescending, .patientId, .patientIdDescending: UUID(uuidString: key) != nil
            case .action, .actionDescending, .outcome, .outcomeDescending: key.utf8.count <= 200
            case .breakGlass, .breakGlassDescending: key == "true" || key == "false"
            }
        }
    }

    /// One page of the access log; the read is recorded first, and refused with 503 if it cannot be.
    func list(_ filter: Filter, order: Order, after cursor: [String]?, limit: Int, by principal: Principal) async throws
        -> (accesses: [Access], next: [String]?) {
        try access.require(principal, .auditRead)
        let query = try Self.query(filter, order: order, after: cursor, limit: limit)
        let scope = RequestScope.current
        let draft = EntryDraft(
            actor: principal.actor(clientAddress: scope?.clientAddress), action: "audit.read",
            resource: .init(type: "phi_access", id: "*"), purposeOfUse: "HCOMPL", requestID: scope?.requestID,
            payload: .clear(["filter": filter.json, "sort": .string(order.rawValue)]))
        do {
            _ = try await writer.append(draft)
        } catch {
            logger.error("audit read could not be recorded; it is refused", metadata: ["error_type": "\(type(of: error))"])
            throw APIError.unavailable("The read could not be recorded in the ledger, so nothing is returned. Try again shortly.")
        }
        let found = try await Access.decode(client.query(query, logger: logger))
        let page = PageCursor.page(found, limit: limit) { [order.key(of: $0), String($0.seq), $0.patientID.text] }
        return (page.items, page.next)
    }

    /// The page query: the filters given, the keyset condition of the cursor (sort key, seq, patient), and one row
    /// more than the page.
    static func query(_ filter: Filter, order: Order, after cursor: [String]?, limit: Int) throws -> PostgresQuery {
        var sql = StatementBuilder()
        sql.append("SELECT \(Access.columns) FROM phi_access WHERE true")
        if let cursor {
            guard order.accepts(cursor[0]), let seq = Int64(cursor[1]), let patient = UUID(uuidString: cursor[2]) else {
                throw APIError.invalidField("cursor", "Pass back a nextCursor value exactly as it was given.")
            }
            sql.append("""

                  AND (\(order.column), ledger_seq, patient_id) \(order.descending ? "<" : ">")
                      (\(order.keyExpression(try sql.bind(cursor[0]))), \(try sql.bind(seq)), \(try sql.bind(patient)))
                """)
        }
        if let userID = filter.userID { sql.append("\n  AND user_id = \(try sql.bind(userID))") }
        if let patientID = filter.patientID { sql.append("\n  AND patient_id = \(try sql.bind(patientID))") }
        if let action = filter.action { sql.append("\n  AND action = \(try sql.bind(action))") }
        if let outcome = filter.outcome { sql.append("\n  AND outcome = \(try sql.bind(outcome))") }
        if let breakGlass = filter.breakGlass { sql.append("\n  AND break_glass = \(try sql.bind(breakGlass))") }
        if let from = filter.from { sql.append("\n  AND recorded_at >= \(try sql.bind(from))") }
        if let before = filter.before { sql.append("\n  AND recorded_at < \(try sql.bind(before))") }
        let direction = order.descending ? "DESC" : "ASC"
        sql.append("\nORDER BY \(order.column) \(direction), ledger_seq \(direction), patient_id \(direction) LIMIT \(limit + 1)")
        return sql.query
    }
}
