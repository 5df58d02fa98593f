/// Compares `phi_access` with the rows the entries should have written, as the chain streams: both come in seq
/// order, so only one entry's rows are held at a time and memory stays flat however long the chain.
struct AccessLogMerge {
    /// The next stored row, or nil at the end; stored rows come ordered by seq, then patient.
    private let next: () throws -> AccessLogRow?
    private var peeked: AccessLogRow?
    private var exhausted = false
    private let record: (Finding) -> Void

    init(next: @escaping () throws -> AccessLogRow?, record: @escaping (Finding) -> Void) {
        self.next = next
        self.record = record
    }

    /// The entry at `seq` was verified and should have written `expected`.
    mutating func entry(seq: Int64, expected: [AccessLogRow]) throws {
        try reportStrays(before: seq)
        let stored = try take(seq: seq)
        let storedByPatient = Dictionary(stored.map { ($0.patientID, $0) }, uniquingKeysWith: { first, _ in first })
        let expectedPatients = Set(expected.map(\.patientID))
        for row in expected {
            guard let found = storedByPatient[row.patientID] else {
                record(finding(seq, row.patientID, "the access-log row the entry wrote is missing"))
                continue
            }
            let differing = found.differences(from: row)
            if !differing.isEmpty {
                record(finding(seq, row.patientID, "column \(differing.joined(separator: ", ")) disagrees with the entry"))
            }
        }
        for row in stored where !expectedPatients.contains(row.patientID) {
            record(finding(seq, row.patientID, "a row the entry did not write"))
        }
    }

    /// The entry at `seq` did not verify: its rows are passed over, as the entry is already a finding.
    mutating func skip(seq: Int64) throws {
        try reportStrays(before: seq)
        _ = try take(seq: seq)
    }

    /// The chain has ended: stored rows after it belong to no entry.
    mutating func finish() throws {
        try reportStrays(before: .max)
    }

    private mutating func reportStrays(before seq: Int64) throws {
        while let row = try peek(), row.seq < seq {
            record(finding(row.seq, row.patientID, "a row for an entry that is not in the chain"))
            peeked = nil
        }
    }

    private mutating func take(seq: Int64) throws -> [AccessLogRow] {
        var rows: [AccessLogRow] = []
        while let row = try peek(), row.seq == seq {
            rows.append(row)
            peeked = nil
        }
        return rows
    }

    private mutating func peek() throws -> AccessLogRow? {
        if peeked == nil, !exhausted {
            peeked = try next()
            exhausted = peeked == nil
        }
        return peeked
    }

    private func finding(_ seq: Int64, _ patient: String, _ message: String) -> Finding {
        Finding(seq: seq, table: "phi_access", row: "ledger_seq \(seq), patient_id \(patient)", check: "replay", message: message)
    }
}
