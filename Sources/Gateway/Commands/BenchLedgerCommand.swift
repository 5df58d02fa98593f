import ArgumentParser
import Foundation
import Ledger
import Logging
import PostgresNIO
import Synchronization

/// `gateway bench-ledger`: the ledger append benchmark behind `make bench-ledger`. Appends signed, chained
/// entries with a sealed PHI payload and a projection upsert each, from N concurrent submitters, and prints
/// one JSON line per concurrency level. Not shown in `--help`: it is a measuring tool, not an operation.
struct BenchLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ledger",
        abstract: "Measure ledger appends per second (used by make bench-ledger).",
        shouldDisplay: false)

    @Option(name: .long, parsing: .upToNextOption, help: "Concurrent submitters, one run each.")
    var concurrency: [Int] = [1, 8, 64]

    @Option(name: .long, help: "Seconds per run.")
    var seconds: Int = 15

    @Option(name: .long, help: "Stop each run after this many entries instead (make bench-verifier builds its chain so).")
    var entries: Int?

    func run() async throws {
        let configuration = try loadConfigurationOrExit()
        // Standard output carries the results, one JSON line per level; logs (at LOG_LEVEL, which the bench scripts
        // set to warning; debug shows each batch's size and time) go to standard error.
        let logger = Logger.gateway(configuration.logging, sink: StandardOutputSink(descriptor: 2))
        try await withStandaloneWriter(configuration: configuration, logger: logger, poolSize: configuration.database.poolSize) {
            client, writer in
            try await warmUp(writer: writer, client: client, logger: logger)
            for level in concurrency {
                let result = try await measure(writer: writer, concurrency: level)
                // One line per level, written at once so a pipe sees it before the next level starts.
                FileHandle.standardOutput.write(Data((result + "\n").utf8))
            }
        }
    }

    /// Creates the 1,000 bench patients' data keys (a one-off per patient, not part of steady state) and reports
    /// the round-trip time of a trivial query, which bounds everything else.
    private func warmUp(writer: LedgerWriter, client: PostgresClient, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for shard in 0..<8 {
                group.addTask {
                    for patient in stride(from: shard, to: 1000, by: 8) {
                        _ = try await writer.dataKeys.key(for: "bench-patient-\(patient)")
                    }
                }
            }
            try await group.waitForAll()
        }
        // The CPU cost of one entry without the database: seal, canonicalise, hash, sign.
        let cpuRounds = 5000
        let key = try await writer.dataKeys.key(for: "bench-patient-0")
        let cpuStart = ContinuousClock.now
        for i in 0..<cpuRounds {
            let sealed = PayloadSealer.seal(
                try JCS.canonicalize(["name": .string("Bench Patient \(i)"), "birthDate": "1970-01-01", "note": "routine update"]),
                key: key, chain: "main", subject: "bench-patient-0", entryID: "e\(i)")
            let entry = LedgerEntry(
                chain: "main", seq: Int64(i + 1), prev: genesisPrevHash, id: "e\(i)", recordedAt: .now(),
                actor: .init(userID: "bench-user", roles: ["clinician"], sessionID: "bench", authMethods: ["pwd"], clientAddress: "127.0.0.1"),
                action: "patient.update", resource: .init(type: "patient", id: "bench-patient-0"), subject: "bench-patient-0",
                purposeOfUse: "TREAT", requestID: "r\(i)", payload: .sealed(sealed))
            _ = SignedEntry(signing: entry, with: writer.signingKey)
        }
        let cpu = ContinuousClock.now - cpuStart
        let cpuMicros = (Double(cpu.components.seconds) * 1e6 + Double(cpu.components.attoseconds) / 1e12) / Double(cpuRounds)
        FileHandle.standardError.write(Data(String(format: "  CPU per entry (seal, canonicalise, hash, sign; no database): %.1f µs\n", cpuMicros).utf8))
        let rounds = 2000
        let start = ContinuousClock.now
        try await client.withConnection { connection in
            for _ in 0..<rounds { try await connection.query("SELECT 1", logger: logger) }
        }
        let elapsed = ContinuousClock.now - start
        let micros = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(rounds)
        FileHandle.standardError.write(Data(String(format: "  round trip (SELECT 1 on one connection): %.0f µs\n", micros).utf8))
    }

    /// The projection: an upsert of the patient's row, batched across the appends of one transaction.
    static let projector = BatchProjector<(id: String, body: String)>(group: "bench_projection.upsert") { rows, contexts, sql in
        let ids = try sql.bind(rows.map(\.id)), bodies = try sql.bind(rows.map(\.body)), seqs = try sql.bind(contexts.map(\.seq))
        sql.append("""
            INSERT INTO bench_projection (id, body, version, ledger_seq)
            SELECT id, body, 1, seq FROM unnest(\(ids)::text[], \(bodies)::text[], \(seqs)::bigint[]) AS r(id, body, seq)
            ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, version = bench_projection.version + 1, ledger_seq = EXCLUDED.ledger_seq
            """)
    }

    private func measure(writer: LedgerWriter, concurrency: Int) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(entries == nil ? seconds : 86_400)
        let budget = AppendBudget(entries ?? .max)
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                // Every submitter starts on this task's event loop and, after its first append, runs wherever the
                // writer resumes it. Started on both loops instead, as HTTP handlers are, they come back to the writer
                // from both cores at once and split its batches (about 3,000 appends/s at 8 submitters instead of
                // 4,300); README's figures are measured this way.
                group.addTask { try await Self.submit(writer: writer, worker: worker, until: deadline, budget: budget) }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        let rate = Double(latencies.count) / wall
        return String(
            format: #"{"concurrency":%d,"entries":%d,"seconds":%.2f,"entries_per_second":%.1f,"p50_ms":%.2f,"p99_ms":%.2f}"#,
            concurrency, latencies.count, wall, rate, percentile(0.5), percentile(0.99))
    }

    /// One submitter: appends until `deadline`, returning each append's latency in milliseconds.
    private static func submit(
        writer: LedgerWriter, worker: Int, until deadline: ContinuousClock.Instant, budget: AppendBudget
    ) async throws -> [Double] {
        var latencies: [Double] = []
        var i = 0
        while ContinuousClock.now < deadline, budget.take() {
            let patient = "bench-patient-\((worker * 7919 + i) % 1000)"
            let name = "Bench Patient \(i)"
            let began = ContinuousClock.now
            _ = try await writer.append(
                EntryDraft(
                    actor: .init(userID: "bench-user", roles: ["clinician"], sessionID: "bench", authMethods: ["pwd"],
                                 clientAddress: "127.0.0.1"),
                    action: "patient.update", resource: .init(type: "patient", id: patient), subject: patient,
                    purposeOfUse: "TREAT", requestID: "bench-\(worker)-\(i)",
                    payload: .phi(["name": .string(name), "birthDate": "1970-01-01", "note": "routine update"])),
                projection: projector.project((patient, name), conflictKey: patient))
            let elapsed = ContinuousClock.now - began
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            i += 1
        }
        return latencies
    }
}

/// How many appends a run may still make, shared by its submitters.
final class AppendBudget: Sendable {
    private let remaining: Atomic<Int>

    init(_ entries: Int) { remaining = Atomic(entries) }

    /// True, and one fewer left, while any are left.
    func take() -> Bool { remaining.subtract(1, ordering: .relaxed).newValue >= 0 }
}
