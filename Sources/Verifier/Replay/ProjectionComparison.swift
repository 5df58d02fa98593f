/// Compares a projection table's stored rows with the rows replayed from the ledger, and says which rows were
/// added, removed or changed outside the ledger. Findings name the table, the row's key and the columns, never
/// the values, which may be PHI.
enum ProjectionComparison {
    /// `stored` gives each stored row as `ProjectionTable.select` reads it (key, then the columns), nil at the end.
    /// Care-team rows of `uncertainCareTeams` are not compared.
    static func compare(
        _ table: ProjectionTable, replayed: [String: ReplayedRow], uncertainCareTeams: Set<String> = [],
        stored: () throws -> [String?]?, record: (Finding) -> Void
    ) throws {
        var unseen = replayed
        let patientColumn = table == .careTeamMembers ? table.index(of: "patient_id") : nil
        while let columns = try stored() {
            guard columns.count == table.columns.count + 1, let key = columns[0] else {
                throw ProjectionComparisonError(description: "\(table.name) did not read as expected")
            }
            let values = Array(columns.dropFirst())
            if let patientColumn, let patient = values[patientColumn], uncertainCareTeams.contains(patient) {
                unseen[key] = nil
                continue
            }
            guard let expected = unseen.removeValue(forKey: key) else {
                let seq = table.columns.firstIndex(of: "ledger_seq").flatMap { values[$0] }.flatMap { Int64($0) }
                record(finding(table, key, seq: seq, "a row that no ledger entry wrote"))
                continue
            }
            let differing = expected.differences(from: values)
            if !differing.isEmpty {
                record(finding(
                    table, key, seq: expected.ledgerSeq,
                    "column \(differing.joined(separator: ", ")) differs from what the ledger recorded"))
            }
        }
        for (key, row) in unseen.sorted(by: { $0.key < $1.key }) {
            if patientColumn != nil, case .text(let patient) = row["patient_id"], uncertainCareTeams.contains(patient) { continue }
            record(finding(table, key, seq: row.ledgerSeq, "the row the ledger wrote is missing"))
        }
    }

    private static func finding(_ table: ProjectionTable, _ key: String, seq: Int64?, _ message: String) -> Finding {
        Finding(seq: seq, table: table.name, row: key, check: "replay", message: message)
    }
}

struct ProjectionComparisonError: Error, CustomStringConvertible {
    let description: String
}
