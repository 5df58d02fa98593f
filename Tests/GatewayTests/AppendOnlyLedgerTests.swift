import Foundation
import NIOCore
import PostgresNIO
import Testing
@testable import Gateway

/// The database itself refuses to change ledger history (DESIGN §3, "Postgres").
@Suite("Append-only ledger tables")
struct AppendOnlyLedgerTests {
    let logger = TestPostgres.logger

    /// A migrated database with one chain head and one entry, inserted as the runtime role.
    private func withOneEntry(_ body: @Sendable (TestDatabase) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.withClient(database.appURL) { client in
                let zero = ByteBuffer(repeating: 0, count: 32)
                let hash = ByteBuffer(repeating: 7, count: 32)
                let signature = ByteBuffer(repeating: 9, count: 64)
                let canonical = ByteBuffer(string: #"{"seq":"1"}"#)
                try await client.query("INSERT INTO ledger_heads (chain_id, seq, head_hash) VALUES ('main', 0, \(zero))", logger: logger)
                try await client.query(
                    """
                    INSERT INTO ledger_entries (chain_id, seq, entry_hash, prev_hash, canonical, key_id, signature, recorded_at, action)
                    VALUES ('main', 1, \(hash), \(zero), \(canonical), \(String(repeating: "a", count: 64)), \(signature), now(), 'test.action')
                    """, logger: logger)
            }
            try await body(database)
        }
    }

    private func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    private func message(of error: any Error) -> String {
        (error as? PSQLError)?.serverInfo?[.message] ?? "\(error)"
    }

    @Test("the runtime role can insert and read ledger entries")
    func runtimeRoleInsertsAndReads() async throws {
        try await withOneEntry { database in
            let count = try await database.withClient(database.appURL) { client in
                var count = 0
                for try await value in try await client.query("SELECT count(*) FROM ledger_entries", logger: logger).decode(Int.self) {
                    count = value
                }
                return count
            }
            #expect(count == 1)
        }
    }

    @Test("the runtime role cannot UPDATE, DELETE or TRUNCATE ledger tables", arguments: [
        "UPDATE ledger_entries SET action = 'forged'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries",
        "UPDATE ledger_checkpoints SET note = 'x'",
        "DELETE FROM ledger_keys",
        "TRUNCATE ledger_heads",
        "DELETE FROM ledger_heads",
    ])
    func runtimeRoleCannotRewrite(statement: String) async throws {
        try await withOneEntry { database in
            do {
                try await database.withClient(database.appURL) { client in
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                Issue.record("the runtime role was allowed to run: \(statement)")
            } catch {
                #expect(sqlState(of: error) == "42501", "expected insufficient_privilege, got \(message(of: error))")
            }
        }
    }

    @Test("triggers stop even the owner from rewriting history", arguments: [
        "UPDATE ledger_entries SET action = 'forged'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries",
        "TRUNCATE ledger_heads CASCADE",
        "DELETE FROM ledger_heads",
    ])
    func ownerIsStoppedByTriggers(statement: String) async throws {
        try await withOneEntry { database in
            do {
                try await database.withClient(database.ownerURL) { client in
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                Issue.record("the owner was allowed to run: \(statement)")
            } catch {
                #expect(message(of: error).contains("append-only"), "expected the append-only trigger, got \(message(of: error))")
            }
            // The entry is still there, unchanged.
            let action = try await database.withClient(database.ownerURL) { client in
                var action = ""
                for try await value in try await client.query("SELECT action FROM ledger_entries WHERE seq = 1", logger: logger).decode(String.self) {
                    action = value
                }
                return action
            }
            #expect(action == "test.action")
        }
    }
}
