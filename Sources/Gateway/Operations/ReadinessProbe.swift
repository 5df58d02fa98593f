import Logging
import PostgresNIO

/// The checks behind `/health/ready`: database reachable, migrations current, signing key loaded.
struct ReadinessProbe: Sendable {
    struct Check: Sendable, Equatable {
        var ok: Bool
        var detail: String?
    }

    struct Report: Sendable, Equatable {
        var database: Check
        var migrations: Check
        var signingKey: Check
        var isReady: Bool { database.ok && migrations.ok && signingKey.ok }
    }

    let client: PostgresClient
    let migrator: Migrator
    let signingKeyLoaded: Bool
    let logger: Logger
    var timeout: Duration = .seconds(2)

    func check() async -> Report {
        let signingKey = signingKeyLoaded ? Check(ok: true) : Check(ok: false, detail: "ledger signing key not loaded")
        let database: Check
        do {
            _ = try await withDeadline(timeout) { [client, logger] in
                try await client.query("SELECT 1", logger: logger)
            }
            database = Check(ok: true)
        } catch {
            return Report(
                database: Check(ok: false, detail: "database unreachable"),
                migrations: Check(ok: false, detail: "could not be checked"),
                signingKey: signingKey)
        }
        let migrations: Check
        do {
            try await withDeadline(timeout) { [client, migrator] in
                try await migrator.requireCurrent(client)
            }
            migrations = Check(ok: true)
        } catch let error as MigrationError {
            migrations = Check(ok: false, detail: error.description)
        } catch {
            migrations = Check(ok: false, detail: "could not be checked")
        }
        return Report(database: database, migrations: migrations, signingKey: signingKey)
    }
}

struct DeadlineExceeded: Error {}

/// Runs `work`, giving up with `DeadlineExceeded` after `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
