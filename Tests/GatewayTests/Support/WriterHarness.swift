import Foundation
import Ledger
import Logging
import PostgresNIO
@testable import Gateway

/// A running ledger writer against a test database, with the keys it signs and seals with.
struct WriterHarness: Sendable {
    let writer: LedgerWriter
    let client: PostgresClient
    let reader: LedgerReader
    let signingKey: Ed25519SigningKey
    let kek: KeyEncryptionKey
    let settings: LedgerWriterSettings

    static func settings(checkpointEvery: Int = 1000, maxBatch: Int = 512) -> LedgerWriterSettings {
        LedgerWriterSettings(
            chain: "main", origin: "test.example/main", checkpointEvery: checkpointEvery, checkpointInterval: .seconds(3600),
            witnessFile: FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID().uuidString).jsonl").path,
            maxBatch: maxBatch)
    }

    /// Runs `body` with a writer whose pool and loop run in the background; both stop when `body` returns.
    @discardableResult
    static func with<T: Sendable>(
        _ database: TestDatabase, settings: LedgerWriterSettings = settings(),
        signingKey: Ed25519SigningKey = .generate(), kek: KeyEncryptionKey = .generate(),
        _ body: @Sendable (WriterHarness) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test-writer")
        let configuration = try database.appURL.clientConfiguration(poolSize: 8)
        let client = PostgresClient(configuration: configuration)
        let writer = LedgerWriter(
            settings: settings, client: client, database: configuration, signingKey: signingKey, kek: kek,
            policyVersion: { nil }, logger: logger)
        let harness = WriterHarness(
            writer: writer, client: client, reader: LedgerReader(client: client, chain: settings.chain, logger: logger),
            signingKey: signingKey, kek: kek, settings: settings)
        return try await withRunning(client, writer) { try await body(harness) }
    }

    /// Appends one entry per value concurrently, each with `projection(value)`; reports which succeeded.
    func appendConcurrently(_ values: [String], projection: @escaping @Sendable (String) -> Projection) async -> [String: Bool] {
        await withTaskGroup(of: (String, Bool).self) { group in
            for value in values {
                group.addTask {
                    let receipt = try? await writer.append(draft(), projection: projection(value))
                    return (value, receipt != nil)
                }
            }
            var outcomes: [String: Bool] = [:]
            for await (value, ok) in group { outcomes[value] = ok }
            return outcomes
        }
    }

    /// Verifies every entry (hash, canonical form, seq, link, signature) and returns them.
    func verifiedChain(trustedKeys: [Ed25519PublicKey]? = nil) async throws -> [SignedEntry] {
        let head = try await reader.head()
        let entries = try await reader.entries(1...max(head.seq, 1))
        let keys = Dictionary(uniqueKeysWithValues: (trustedKeys ?? [signingKey.publicKey]).map { ($0.keyID, $0) })
        var previous = genesisPrevHash
        for (offset, signed) in entries.enumerated() {
            if let finding = EntryVerification.verify(
                signed, chain: settings.chain, expectedSeq: Int64(offset + 1), previousHash: previous, trustedKeys: keys) {
                throw TestSetupError("entry \(offset + 1): \(finding)")
            }
            previous = signed.entryHash
        }
        guard Int64(entries.count) == head.seq, previous == head.hash else {
            throw TestSetupError("head (\(head.seq)) does not match the \(entries.count) entries")
        }
        return entries
    }
}

extension TestDatabase {
    /// A projection table for writer tests; a CHECK constraint lets a test make one projection fail.
    func createTestProjection() async throws {
        try await withClient(ownerURL) { client in
            try await client.query(
                "CREATE TABLE test_projection (entry_id text PRIMARY KEY, seq bigint NOT NULL, value text NOT NULL CHECK (value <> 'bad'))",
                logger: TestPostgres.logger)
            try await client.query("GRANT SELECT, INSERT ON test_projection TO ledger_runtime", logger: TestPostgres.logger)
            try await client.query(
                "CREATE TABLE test_counter (id text PRIMARY KEY, value text NOT NULL, version int NOT NULL, seq bigint NOT NULL)",
                logger: TestPostgres.logger)
            try await client.query("GRANT SELECT, INSERT, UPDATE ON test_counter TO ledger_runtime", logger: TestPostgres.logger)
        }
    }
}

/// A projection that records `value` for the entry.
func testProjection(_ value: String) -> ProjectionUpdate {
    { connection, context, logger in
        try await connection.query(
            "INSERT INTO test_projection (entry_id, seq, value) VALUES (\(context.entryID), \(context.seq), \(value))", logger: logger)
    }
}

func draft(_ action: String = "test.write", subject: String? = nil, payload: DraftPayload = .none) -> EntryDraft {
    EntryDraft(
        actor: .init(userID: "user-1", roles: ["clinician"], sessionID: "s1", authMethods: ["pwd"], clientAddress: "127.0.0.1"),
        action: action, resource: subject.map { .init(type: "patient", id: $0) }, subject: subject, purposeOfUse: "TREAT",
        requestID: "req", payload: payload)
}

/// Batched inserts into `test_projection`: one statement for many appends.
let batchedInsert = BatchProjector<String>(group: "test_projection.insert") { values, contexts, sql in
    let ids = try sql.bind(contexts.map(\.entryID)), seqs = try sql.bind(contexts.map(\.seq)), values = try sql.bind(values)
    sql.append("INSERT INTO test_projection (entry_id, seq, value) SELECT * FROM unnest(\(ids)::text[], \(seqs)::bigint[], \(values)::text[])")
}

/// Batched upserts into `test_counter`, counting versions per id.
let batchedUpsert = BatchProjector<(id: String, value: String)>(group: "test_counter.upsert") { rows, contexts, sql in
    let ids = try sql.bind(rows.map(\.id)), values = try sql.bind(rows.map(\.value)), seqs = try sql.bind(contexts.map(\.seq))
    sql.append("""
        INSERT INTO test_counter (id, value, version, seq)
        SELECT id, value, 1, seq FROM unnest(\(ids)::text[], \(values)::text[], \(seqs)::bigint[]) AS r(id, value, seq)
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, version = test_counter.version + 1, seq = EXCLUDED.seq
        """)
}

/// Batched version-checked updates of `test_counter`: a row whose version is not the one given raises through
/// `projection_expect`, naming the row as its conflict key (`counter/<id>`) does.
let batchedVersionedUpdate = BatchProjector<(id: String, fromVersion: Int)>(group: "test_counter.versioned") { rows, contexts, sql in
    let ids = try sql.bind(rows.map(\.id)), versions = try sql.bind(rows.map(\.fromVersion)), seqs = try sql.bind(contexts.map(\.seq))
    sql.append("""
        UPDATE test_counter t SET version = t.version + 1, seq = c.seq
        FROM unnest(\(ids)::text[], \(versions)::integer[], \(seqs)::bigint[]) AS c(id, from_version, seq)
        WHERE t.id = c.id AND projection_expect(t.version = c.from_version, 'counter/' || c.id)
        """)
}
