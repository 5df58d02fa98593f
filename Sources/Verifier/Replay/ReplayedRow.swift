import Crypto

/// One column's value as the ledger says it should be.
enum ReplayedValue: Equatable, Sendable {
    /// The ledger cannot tell: the value was sealed and no key was given to open it, or its subject was shredded.
    case unknown
    case null
    case text(String)
    /// A long value (a note's body) is kept as its SHA-256, so that replay holds little more than the keys.
    case digest([UInt8])

    /// Values longer than this are kept as digests.
    static let longestKept = 64

    init(_ text: String?) {
        guard let text else { self = .null; return }
        self = text.utf8.count > Self.longestKept ? .digest(Array(SHA256.hash(data: Array(text.utf8)))) : .text(text)
    }

    /// Whether the stored value is the one the ledger recorded; an unknown value matches anything.
    func matches(_ stored: String?) -> Bool {
        switch self {
        case .unknown: true
        default: self == ReplayedValue(stored)
        }
    }
}

/// A projection row as the ledger says it should be, its values in `ProjectionTable.columns` order.
struct ReplayedRow: Equatable, Sendable {
    let table: ProjectionTable
    var values: [ReplayedValue]

    /// A row whose every column is unknown until set.
    init(_ table: ProjectionTable) {
        self.table = table
        values = Array(repeating: .unknown, count: table.columns.count)
    }

    subscript(column: String) -> ReplayedValue {
        get { values[table.index(of: column)] }
        set { values[table.index(of: column)] = newValue }
    }

    /// Sets `column` to `text`.
    mutating func set(_ column: String, _ text: String?) {
        self[column] = ReplayedValue(text)
    }

    /// The entry that last wrote the row, when known.
    var ledgerSeq: Int64? {
        guard table.columns.contains("ledger_seq"), case .text(let text) = self["ledger_seq"] else { return nil }
        return Int64(text)
    }

    /// The names of the columns whose stored value differs from the replayed one.
    func differences(from stored: [String?]) -> [String] {
        zip(table.columns, zip(values, stored)).compactMap { column, pair in pair.0.matches(pair.1) ? nil : column }
    }
}
