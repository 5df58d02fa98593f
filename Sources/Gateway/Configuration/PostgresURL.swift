import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL connection URL in libpq's form, so the URL a DBA hands over works unchanged:
/// `postgresql://user:password@host:port/database?sslmode=require`, or a Unix socket directory through
/// `?host=/path/to/dir` (or a percent-encoded host starting with `/`).
///
/// Supported parameters: `host`, `port`, `sslmode` (disable, prefer, require, verify-ca, verify-full),
/// `sslrootcert`, `application_name`, `connect_timeout`. Anything else is rejected rather than ignored.
struct PostgresURL: Sendable, Equatable {
    enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var user: String
    var password: String?
    /// Host name or address for TCP; nil when connecting through a Unix socket.
    var host: String?
    /// The directory holding the server's Unix socket, when not using TCP.
    var socketDirectory: String?
    var port: Int
    var database: String
    var sslMode: SSLMode
    var sslRootCertificate: String?
    var applicationName: String?
    var connectTimeoutSeconds: Int?

    /// Parses `text`; `variable` names the setting in error messages, which never repeat the URL (it may hold a
    /// password).
    init(parsing text: String, variable: String) throws(ConfigurationError) {
        func fail(_ reason: String) -> ConfigurationError { .invalid(variable, reason) }
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw fail("must be a URL like postgresql://user:password@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else { throw fail("names no user") }
        self.user = user
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw fail("names no database (the path after the host)") }
        self.database = path

        var host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        var port = components.port
        self.sslMode = .prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "host": host = value
            case "port":
                guard let number = Int(value) else { throw fail("port must be a number") }
                port = number
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw fail("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.sslMode = mode
            case "sslrootcert": self.sslRootCertificate = value
            case "application_name": self.applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else { throw fail("connect_timeout must be a positive number") }
                self.connectTimeoutSeconds = seconds
            default:
                throw fail("has an unsupported parameter '\(item.name)'")
            }
        }
        let resolvedPort = port ?? 5432
        guard (1...65535).contains(resolvedPort) else { throw fail("port must be from 1 to 65535") }
        self.port = resolvedPort
        guard let host, !host.isEmpty else { throw fail("names no host (give one, or ?host=/socket/directory)") }
        if host.hasPrefix("/") {
            self.socketDirectory = host
            self.host = nil
        } else {
            self.host = host
            self.socketDirectory = nil
        }
        if sslMode == .verifyFull || sslMode == .verifyCA, socketDirectory != nil {
            throw fail("sslmode=\(sslMode.rawValue) cannot be used with a Unix socket")
        }
    }

    /// The Unix socket path libpq would use: `<directory>/.s.PGSQL.<port>`.
    var socketPath: String? {
        socketDirectory.map { "\($0)/.s.PGSQL.\(port)" }
    }

    /// A postgres-nio client configuration for this URL: a pool of up to `poolSize` connections, pinged when idle
    /// every `keepAlive` if given.
    ///
    /// Pings are off unless asked for: each is a timer started and cancelled on every query, about a tenth of the
    /// gateway's work per read. Idle connections through a firewall are kept alive by the server's TCP keepalives
    /// instead (README, "The database"). The pool keeps no minimum of open connections: postgres-nio's pool stops
    /// the process on a failed precondition when a request comes while it is below its minimum, which it is for a
    /// moment whenever PostgreSQL restarts and every connection closes at once.
    func clientConfiguration(poolSize: Int, keepAlive: Duration? = nil) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database,
                tls: try tls())
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 0
        configuration.options.keepAliveBehavior = keepAlive.map { .init(frequency: $0) }
        if let connectTimeoutSeconds {
            configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
        }
        if let applicationName {
            configuration.options.additionalStartupParameters.append(("application_name", applicationName))
        }
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCertificate {
            tls.trustRoots = .file(sslRootCertificate)
        }
        switch sslMode {
        case .disable:
            return .disable
        case .prefer:
            // libpq's `prefer` encrypts when the server offers TLS but does not authenticate it.
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }
}
