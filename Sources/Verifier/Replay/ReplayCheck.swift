import Ledger

/// `verify --replay`: rebuilds the projections from the chain as it streams and compares them with the stored
/// tables, all read in the verification's snapshot. The access log is compared entry by entry as the chain goes
/// by, on a second connection; the other tables once the chain has been read.
final class ReplayCheck {
    private var replay = ProjectionReplay()
    private var accessLog: AccessLogMerge
    private let opener: PayloadOpener
    /// Reads the tables beside the COPY of the chain on the main connection, in the same snapshot.
    private let side: LibPQConnection
    private let record: (Finding) -> Void
    private var keyProblemsReported: Set<String> = []

    /// Call inside `main`'s snapshot transaction, before the chain is read.
    init(main: LibPQConnection, chain: String, kek: KeyEncryptionKey?, record: @escaping (Finding) -> Void) throws {
        let snapshot = try main.exportSnapshot()
        side = try main.another()
        try side.beginSnapshot(importing: snapshot)
        opener = PayloadOpener(chain: chain, kek: kek, wrappedKeys: try PayloadOpener.wrappedKeys(of: chain, from: side))
        try opener.checkKEK()
        let cursor = try LibPQCursor(side, AccessLogRow.select)
        accessLog = AccessLogMerge(
            next: {
                guard let columns = try cursor.next() else { return nil }
                guard let row = AccessLogRow(stored: columns) else {
                    throw ProjectionComparisonError(description: "phi_access did not read as expected")
                }
                return row
            }, record: record)
        self.record = record
    }

    /// What `--replay` compared, for the report's list of checks.
    var checkName: String {
        opener.canOpen
            ? "projections replayed (sealed fields opened with the KEK)"
            : "projections replayed (ids, times and versions; sealed fields need --kek)"
    }

    /// The next entry in seq order; nil when it did not verify (it is a finding already, and is not replayed).
    func entry(seq: Int64, _ entry: LedgerEntry?) throws {
        guard let entry else {
            try accessLog.skip(seq: seq)
            return
        }
        let (payload, problem) = opener.payload(of: entry)
        if let problem {
            if let subject = problem.subject {
                if keyProblemsReported.insert(subject).inserted {
                    record(Finding(table: "subject_keys", row: "subject_id \(subject)", check: "replay", message: problem.message))
                }
            } else {
                record(Finding(seq: seq, check: "replay", message: problem.message))
            }
        }
        replay.apply(entry, payload: payload)
        try accessLog.entry(seq: seq, expected: AccessLogRow.expected(for: entry))
    }

    /// After the last entry: the access log's remaining rows, then every other table.
    func finish() throws {
        try accessLog.finish()
        for table in ProjectionTable.allCases {
            let cursor = try LibPQCursor(side, table.select)
            try ProjectionComparison.compare(
                table, replayed: replay.rows(of: table), uncertainCareTeams: replay.uncertainCareTeams, stored: { try cursor.next() },
                record: record)
            try cursor.close()
        }
        try side.commit()
    }
}
