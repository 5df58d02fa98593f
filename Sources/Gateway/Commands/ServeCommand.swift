import ArgumentParser
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `gateway serve`: starts the HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API (the default command).")

    func run() async throws {
        let configuration = try loadConfigurationOrExit()
        let logger = Logger.gateway(configuration.logging)
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        do {
            let app = try await buildApplication(
                configuration: configuration, dependencies: ApplicationDependencies(logger: logger, metrics: metrics))
            logger.info("starting gateway", metadata: ["url": "http://\(configuration.server.host):\(configuration.server.port)"])
            try await app.runService()
        } catch let error as ConfigurationError {
            throw StartupFailure(message: error.description)
        } catch let error as MigrationError {
            throw StartupFailure(message: error.description)
        } catch let error as PolicyFileError {
            throw StartupFailure(message: "invalid policy: \(error)")
        }
    }
}

/// Reads the environment, or stops with the message that names the bad variable.
func loadConfigurationOrExit() throws -> GatewayConfiguration {
    do {
        return try GatewayConfiguration(environment: .processEnvironment())
    } catch {
        throw StartupFailure(message: error.description)
    }
}

/// A start-up failure reported as one clear line on standard error and exit status 1.
struct StartupFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
