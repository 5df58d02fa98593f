import Foundation
import Ledger
import Logging
import PostgresNIO

/// What a caller asks the ledger to record. The writer assigns seq, prev, time and signature.
struct EntryDraft: Sendable {
    /// Fixed now, so a sealed payload can be bound to the entry before its seq is known.
    var id: String = UUID.random().text
    var actor: LedgerEntry.Actor?
    var action: String
    var resource: LedgerEntry.ResourceReference?
    var subject: String?
    var purposeOfUse: String?
    var requestID: String?
    var outcome: LedgerEntry.Outcome = .success
    var payload: DraftPayload = .none
}

/// A draft's payload. PHI is handed over in clear and sealed by the writer under the subject's data key.
enum DraftPayload: Sendable {
    case none
    case clear(JSONValue)
    /// PHI to seal; requires the draft to name a subject.
    case phi(JSONValue)
}

/// What the projection update of an append is told about its entry.
struct AppendContext: Sendable {
    let seq: Int64
    let entryID: String
    let entryHash: [UInt8]
    let recordedAt: LedgerTimestamp

    init(_ signed: SignedEntry) {
        seq = signed.entry.seq
        entryID = signed.entry.id
        entryHash = signed.entryHash
        recordedAt = signed.entry.recordedAt
    }
}

/// Updates the queryable tables for one entry, inside the entry's transaction. Throwing fails this append
/// only: its entry is not written, its caller receives the thrown error, and neighbours in the same batch are
/// unaffected.
typealias ProjectionUpdate = @Sendable (PostgresConnection, AppendContext, Logger) async throws -> Void

/// The acknowledgement of a committed append.
struct AppendReceipt: Sendable, Equatable {
    let seq: Int64
    let entryID: String
    let entryHash: [UInt8]
    let recordedAt: LedgerTimestamp

    init(_ context: AppendContext) {
        seq = context.seq
        entryID = context.entryID
        entryHash = context.entryHash
        recordedAt = context.recordedAt
    }
}

/// Why an append failed.
enum LedgerWriteError: Error, Equatable, CustomStringConvertible {
    /// The subject's data key was shredded: no more PHI can be sealed for them.
    case subjectShredded
    /// PHI was given without a subject to seal it for.
    case phiWithoutSubject
    /// The writer is stopping or the database is unavailable; nothing was written.
    case unavailable(String)
    /// The database stopped answering during the commit: the append may or may not have been recorded.
    case outcomeUnknown
    /// A batched change was made as of a row that has changed since (see `BatchedRow.basis`); nothing was written.
    case rowChangedMeanwhile

    /// True when `error` says that an append's batched change no longer applied, whether the writer saw it first
    /// or the database did (`BatchStatement.preconditionFailed`): the change may be made again on a fresh read.
    static func isRowChangedMeanwhile(_ error: any Error) -> Bool {
        error as? LedgerWriteError == .rowChangedMeanwhile || PostgresErrorText.sqlState(of: error) == BatchStatement.preconditionFailed
    }

    var description: String {
        switch self {
        case .subjectShredded: "the subject's data key has been shredded"
        case .phiWithoutSubject: "a PHI payload needs a subject"
        case .unavailable(let why): "the ledger is unavailable: \(why)"
        case .outcomeUnknown: "the database did not confirm the commit in time; its outcome is unknown"
        case .rowChangedMeanwhile: "the row changed since the change was made"
        }
    }
}
