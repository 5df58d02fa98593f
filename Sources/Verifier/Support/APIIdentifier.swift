import ArgumentParser
import Foundation

/// Ids as the gateway's API gives them: lowercase UUIDs, which is how the ledger holds them and how `--user` and
/// `--patient` are compared with it.
enum APIIdentifier {
    /// Throws a usage error naming `option` unless `value` is absent or such an id.
    static func validate(_ value: String?, option: String) throws {
        if let value, UUID(uuidString: value) == nil || value != value.lowercased() {
            throw ValidationError("\(option) takes an id as the API gives it (a lowercase UUID)")
        }
    }
}
