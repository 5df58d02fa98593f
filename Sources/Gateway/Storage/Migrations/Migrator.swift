import Logging
import NIOCore
import PostgresNIO

/// Applies and checks migrations against one database.
struct Migrator: Sendable {
    let catalog: MigrationCatalog
    let logger: Logger

    /// A constant advisory-lock key so concurrent `gateway migrate` runs take turns instead of racing.
    private static let advisoryLockKey: Int64 = 0x6c65_6467_6572_0001

    /// Applies every pending migration, each in its own transaction, and returns the versions applied.
    /// Refuses to touch anything when an applied migration was edited.
    @discardableResult
    func migrate(_ client: PostgresClient) async throws -> [Int] {
        try await client.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer     PRIMARY KEY,
                name        text        NOT NULL,
                checksum    bytea       NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var appliedNow: [Int] = []
        for migration in try catalog.pending(given: try await applied(client)) {
            let didApply = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
                // Another process may have applied it while we waited for the lock.
                let rows = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", logger: logger)
                for try await _ in rows { return false }
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(ByteBuffer(bytes: migration.checksum)))
                    """, logger: logger)
                return true
            }
            if didApply {
                appliedNow.append(migration.version)
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
        // Re-check the whole history so an edit made while we were applying is still reported.
        _ = try catalog.pending(given: try await applied(client))
        return appliedNow
    }

    /// Throws unless every migration is applied and unchanged; the gateway calls this before serving.
    func requireCurrent(_ client: PostgresClient) async throws {
        let pending = try catalog.pending(given: try await applied(client))
        if !pending.isEmpty {
            throw MigrationError.pending(versions: pending.map(\.version))
        }
    }

    /// The rows of `schema_migrations`, or none when the table does not exist yet.
    func applied(_ client: PostgresClient) async throws -> [AppliedMigration] {
        let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await (flag) in exists.decode(Bool.self) { tableExists = flag }
        guard tableExists else { return [] }
        let rows = try await client.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version", logger: logger)
        var result: [AppliedMigration] = []
        for try await (version, name, checksum) in rows.decode((Int, String, ByteBuffer).self) {
            result.append(AppliedMigration(version: version, name: name, checksum: Array(buffer: checksum)))
        }
        return result
    }
}
