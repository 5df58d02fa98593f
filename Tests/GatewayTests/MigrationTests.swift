import Foundation
import PostgresNIO
import Testing
@testable import Gateway

@Suite("Migrations against a real PostgreSQL")
struct MigrationTests {
    let logger = TestPostgres.logger

    @Test("migrations apply on an empty database and create the ledger tables")
    func appliesOnEmptyDatabase() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
            let applied = try await database.withClient(database.ownerURL) { try await migrator.migrate($0) }
            #expect(applied == migrator.catalog.migrations.map(\.version))
            let tables = try await database.withClient(database.ownerURL) { client in
                var names: [String] = []
                let rows = try await client.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", logger: logger)
                for try await name in rows.decode(String.self) { names.append(name) }
                return names
            }
            #expect(Set(tables).isSuperset(of: ["ledger_entries", "ledger_heads", "ledger_checkpoints", "ledger_keys", "schema_migrations"]))
        }
    }

    @Test("re-applying migrations is a no-op")
    func reapplyIsNoOp() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
            _ = try await database.withClient(database.ownerURL) { try await migrator.migrate($0) }
            let second = try await database.withClient(database.ownerURL) { try await migrator.migrate($0) }
            #expect(second.isEmpty)
            try await database.withClient(database.appURL) { try await migrator.requireCurrent($0) }
        }
    }

    @Test("an applied migration that was edited is refused, by migrate and by the start-up check")
    func editedMigrationIsRefused() async throws {
        try await TestPostgres.withDatabase { database in
            let original = try MigrationCatalog.bundled()
            _ = try await database.withClient(database.ownerURL) {
                try await Migrator(catalog: original, logger: logger).migrate($0)
            }
            var edited = original.migrations
            let first = edited[0]
            edited[0] = Migration(version: first.version, name: first.name, sql: first.sql + "\n-- a quiet edit\n")
            let tampered = Migrator(catalog: try MigrationCatalog(edited), logger: logger)
            await #expect(throws: MigrationError.edited(version: first.version, name: first.name)) {
                try await database.withClient(database.ownerURL) { try await tampered.migrate($0) }
            }
            await #expect(throws: MigrationError.edited(version: first.version, name: first.name)) {
                try await database.withClient(database.appURL) { try await tampered.requireCurrent($0) }
            }
        }
    }

    @Test("micros_timestamp is exact to the microsecond in any time zone, and inlined rather than called per row")
    func microsTimestamp() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
            _ = try await database.withClient(database.ownerURL) { try await migrator.migrate($0) }
            try await database.withClient(database.ownerURL) { client in
                try await client.withConnection { connection in
                    _ = try await connection.query("SET TimeZone = 'America/New_York'", logger: logger)
                    // Either side of 1970, across a daylight-saving change, and now-ish with all six digits.
                    let samples: [Int64] = [0, 1, -1, -86_400_000_001, 1_793_000_000_123_456, 1_772_953_199_999_999,
                                            1_772_953_200_000_001, 4_102_444_800_000_000]
                    for micros in samples {
                        let rows = try await connection.query(
                            "SELECT (extract(epoch FROM micros_timestamp(\(micros)))::numeric * 1000000)::bigint", logger: logger)
                        var back: Int64?
                        for try await value in rows.decode(Int64.self) { back = value }
                        #expect(back == micros, "micros_timestamp(\(micros))")
                    }
                    let plan = try await connection.query(
                        "EXPLAIN (VERBOSE, COSTS OFF) SELECT micros_timestamp(g) FROM generate_series(1, 3) g", logger: logger)
                    var lines: [String] = []
                    for try await line in plan.decode(String.self) { lines.append(line) }
                    #expect(lines.contains { $0.contains("AT TIME ZONE") }, "not inlined: \(lines)")
                    #expect(!lines.contains { $0.contains("micros_timestamp") }, "not inlined: \(lines)")
                }
            }
        }
    }

    @Test("a database without migrations is reported as pending")
    func pendingIsReported() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
            await #expect(throws: MigrationError.pending(versions: migrator.catalog.migrations.map(\.version))) {
                try await database.withClient(database.ownerURL) { try await migrator.requireCurrent($0) }
            }
        }
    }

    @Test("a migration that fails leaves nothing behind and is not recorded")
    func failingMigrationRollsBack() async throws {
        try await TestPostgres.withDatabase { database in
            let broken = Migrator(
                catalog: try MigrationCatalog([
                    Migration(version: 1, name: "half", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();")
                ]),
                logger: logger)
            await #expect(throws: (any Error).self) {
                try await database.withClient(database.ownerURL) { try await broken.migrate($0) }
            }
            let leftovers = try await database.withClient(database.ownerURL) { client in
                let rows = try await client.query(
                    "SELECT (to_regclass('half_done') IS NOT NULL), (SELECT count(*) FROM schema_migrations)", logger: logger)
                var result: (Bool, Int) = (true, -1)
                for try await row in rows.decode((Bool, Int).self) { result = row }
                return result
            }
            #expect(leftovers.0 == false)
            #expect(leftovers.1 == 0)
        }
    }

    @Test("migration file names must be NNNN_description.sql")
    func fileNamesAreParsedStrictly() {
        #expect(Migration.parseFileName("0001_ledger.sql")! == (1, "ledger"))
        #expect(Migration.parseFileName("0012_add_users.sql")! == (12, "add_users"))
        #expect(Migration.parseFileName("1_ledger.sql") == nil)
        #expect(Migration.parseFileName("0001-ledger.sql") == nil)
        #expect(Migration.parseFileName("0001_ledger.sql.bak") == nil)
        #expect(Migration.parseFileName("0000_zero.sql") == nil)
    }

    @Test("a catalog with a gap in its numbering is rejected")
    func gapsAreRejected() {
        #expect(throws: MigrationError.self) {
            try MigrationCatalog([Migration(version: 1, name: "a", sql: ""), Migration(version: 3, name: "c", sql: "")])
        }
    }
}
