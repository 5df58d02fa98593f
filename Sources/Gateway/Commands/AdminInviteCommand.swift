import ArgumentParser
import Foundation
import Ledger
import Logging
import PostgresNIO

/// `gateway admin-invite`: prints a one-time enrolment token for the first administrator while none is active.
struct AdminInviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-invite",
        abstract: "Print a one-time invite for the first administrator, unless one has already enrolled.",
        discussion: "The token is shown once and stored only as a hash; each run withdraws the previous unused token.")

    @Option(help: "The administrator's email address.")
    var email: String = ProcessInfo.processInfo.environment["ADMIN_EMAIL"] ?? "admin@localhost"

    @Option(help: "The administrator's display name.")
    var name: String = "Administrator"

    func run() async throws {
        let configuration = try loadConfigurationOrExit()
        var logging = configuration.logging
        logging.level = .warning
        let logger = Logger.gateway(logging)
        let (email, name) = (self.email, self.name)
        let issued = try await withStandaloneWriter(configuration: configuration, logger: logger, poolSize: 2) { client, writer in
            try await FirstAdminInvite(client: client, writer: writer, logger: logger).issue(email: email, name: name)
        }
        if let issued {
            print("""
                First administrator invite for \(email.lowercased()) (one-time, expires \(LedgerTimestamp(issued.expiresAt).description)):
                  \(issued.token.text)
                """)
        } else {
            print("An administrator has already enrolled; no invite printed.")
        }
    }
}
