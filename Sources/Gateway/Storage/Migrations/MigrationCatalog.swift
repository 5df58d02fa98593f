import Foundation

/// The ordered set of migrations shipped with this build.
struct MigrationCatalog: Sendable {
    let migrations: [Migration]

    /// Validates numbering: versions start at 1 and have no gaps or duplicates.
    init(_ migrations: [Migration]) throws(MigrationError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (index, migration) in sorted.enumerated() where migration.version != index + 1 {
            throw .badCatalog("expected version \(index + 1), found \(migration.version) (\(migration.name))")
        }
        self.migrations = sorted
    }

    /// The migrations bundled in the gateway's `Migrations` resource folder.
    static func bundled() throws -> MigrationCatalog {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.badCatalog("the Migrations resource folder is missing from the build")
        }
        return try load(from: folder)
    }

    /// Reads every `NNNN_name.sql` in `folder`; any other file is an error, so a typo cannot silently skip SQL.
    static func load(from folder: URL) throws -> MigrationCatalog {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        var migrations: [Migration] = []
        for file in files.sorted() {
            guard let (version, name) = Migration.parseFileName(file) else {
                throw MigrationError.badCatalog("'\(file)' is not named NNNN_description.sql")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return try MigrationCatalog(migrations)
    }

    /// Compares applied migrations with this catalog: returns the ones still to apply, or throws when an applied
    /// one was edited or is unknown to this build.
    func pending(given applied: [AppliedMigration]) throws(MigrationError) -> [Migration] {
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for record in applied {
            guard let migration = byVersion[record.version] else {
                throw .unknown(version: record.version, name: record.name)
            }
            guard migration.checksum == record.checksum else {
                throw .edited(version: record.version, name: record.name)
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        return migrations.filter { !appliedVersions.contains($0.version) }
    }
}

/// A row of `schema_migrations`.
struct AppliedMigration: Sendable, Equatable {
    let version: Int
    let name: String
    let checksum: [UInt8]
}
