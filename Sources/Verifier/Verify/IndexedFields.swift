import Ledger

/// The fields of an entry that `ledger_entries` copies into columns for queries, read from the entry built or
/// from its bytes in place, so that the column check needs neither to build an entry nor to copy a string.
protocol IndexedFields: ChainLinkFields {
    var recordedAt: LedgerTimestamp { get }
    func actionEquals(_ action: String) -> Bool
    func actorUserIDEquals(_ userID: String?) -> Bool
    func subjectEquals(_ subject: String?) -> Bool
}

extension LedgerEntry: IndexedFields {
    func actionEquals(_ action: String) -> Bool { self.action == action }
    func actorUserIDEquals(_ userID: String?) -> Bool { actor?.userID == userID }
    func subjectEquals(_ subject: String?) -> Bool { self.subject == subject }
}

extension CanonicalEntryView: IndexedFields {
    func actionEquals(_ action: String) -> Bool { self.action.elementsEqual(action.utf8) }
    func actorUserIDEquals(_ userID: String?) -> Bool { Self.same(actorUserID, userID) }
    func subjectEquals(_ subject: String?) -> Bool { Self.same(self.subject, subject) }

    private static func same(_ bytes: ArraySlice<UInt8>?, _ text: String?) -> Bool {
        switch (bytes, text) {
        case (nil, nil): true
        case (let bytes?, let text?): bytes.elementsEqual(text.utf8)
        default: false
        }
    }
}
