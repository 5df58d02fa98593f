import Foundation
/// Why the database schema cannot be used as it is. Each message says what to do.
enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// An applied migration's file has changed since it was applied.
    case edited(version: Int, name: String)
    /// The database has a migration this build does not know: it was migrated by a newer gateway.
    case unknown(version: Int, name: String)
    /// Migrations are waiting to be applied.
    case pending(versions: [Int])
    /// The bundled migration files are misnamed or numbered with gaps or duplicates.
    case badCatalog(String)

    var description: String {
        switch self {
        case .edited(let version, let name):
            "migration \(String(format: "%04d", version))_\(name) was edited after it was applied (checksum differs); "
                + "restore the original file and add a new migration instead"
        case .unknown(let version, let name):
            "the database has migration \(String(format: "%04d", version))_\(name), which this gateway does not know; "
                + "run a gateway at least as new as the one that migrated it"
        case .pending(let versions):
            "\(versions.count) migration(s) not applied (\(versions.map { String(format: "%04d", $0) }.joined(separator: ", "))); "
                + "run `gateway migrate` with DATABASE_OWNER_URL"
        case .badCatalog(let why):
            "the bundled migrations are invalid: \(why)"
        }
    }
}
