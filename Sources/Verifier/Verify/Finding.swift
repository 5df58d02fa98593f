/// One thing found wrong, naming where: an entry's seq, or a table and row.
struct Finding: Sendable, Equatable, Encodable {
    /// The entry the finding is about, when it is about one.
    var seq: Int64?
    /// The table and row, when the finding is about a stored row other than an entry's canonical bytes.
    var table: String?
    var row: String?
    /// Which check failed: `entry`, `link`, `signature`, `columns`, `checkpoint`, `witness`, `keys`, `head`.
    var check: String
    var message: String

    /// One line for a terminal or a log.
    var line: String {
        var place: [String] = []
        if let seq { place.append("seq \(seq)") }
        if let table { place.append(row.map { "\(table) \($0)" } ?? table) }
        return "\(place.isEmpty ? check : place.joined(separator: ", ")): \(message)"
    }
}
