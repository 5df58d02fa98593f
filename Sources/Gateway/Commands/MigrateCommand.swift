import ArgumentParser
import Logging
import PostgresNIO

/// `gateway migrate`: applies pending migrations as the owner role and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (uses DATABASE_OWNER_URL, else DATABASE_URL) and exit.")

    func run() async throws {
        let environment = EnvironmentReader.processEnvironment()
        let logging: LoggingSettings
        let url: PostgresURL
        let poolSize: Int
        do {
            logging = try LoggingSettings(environment: environment)
            let database = try DatabaseSettings(environment: environment)
            url = try database.requireMigrationURL()
            poolSize = 1
        } catch {
            throw StartupFailure(message: error.description)
        }
        let logger = Logger.gateway(logging)
        let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
        do {
            let applied = try await PostgresClient.withRunningClient(try url.clientConfiguration(poolSize: poolSize)) { client in
                try await migrator.migrate(client)
            }
            logger.info("migrations current", metadata: ["applied_now": "\(applied.count)"])
        } catch let error as MigrationError {
            throw StartupFailure(message: error.description)
        } catch {
            throw StartupFailure(message: "migration failed: \(PostgresErrorText.describe(error))")
        }
    }
}
