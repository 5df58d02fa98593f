import Foundation
import Logging
import PostgresNIO

/// Reads accounts for the API.
struct AccountDirectory: Sendable {
    let client: PostgresClient
    let logger: Logger

    func account(_ id: UUID) async throws -> AccountSummary? {
        let rows = try await client.query("SELECT id, email, name, roles, status FROM users WHERE id = \(id)", logger: logger)
        for try await (id, email, name, roles, status) in rows.decode((UUID, String, String, [String], String).self) {
            return AccountSummary(id: id, email: email, name: name, roles: roles, status: status)
        }
        return nil
    }
}
