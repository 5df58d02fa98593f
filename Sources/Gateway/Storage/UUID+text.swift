import Foundation

extension UUID {
    /// The id as the API, the ledger and PostgreSQL's `uuid::text` write it: lowercase, with hyphens.
    var text: String { uuidString.lowercased() }
}
