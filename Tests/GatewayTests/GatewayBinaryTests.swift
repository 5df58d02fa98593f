import Foundation
import Testing
@testable import Gateway

@Suite("The gateway binary")
struct GatewayBinaryTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("bad configuration stops start-up with exit status 1 and a message naming the variable")
    func badConfigurationExits() throws {
        let result = try Binaries.run("gateway", ["serve"], environment: ["PORT": "not-a-port"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("PORT"))
        #expect(result.standardError.contains("must be a whole number"))
    }

    @Test("serve without DATABASE_URL says which variable is missing")
    func missingDatabaseURL() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Binaries.run("gateway", ["keygen"], environment: [:], in: directory)
        let result = try Binaries.run("gateway", ["serve"], environment: [:], in: directory)
        #expect(result.status == 1)
        #expect(result.standardError.contains("DATABASE_URL"))
    }

    @Test("serve with an invalid policy file stops before serving, naming file, line and reason")
    func invalidPolicyStopsStartUp() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Binaries.run("gateway", ["keygen"], environment: [:], in: directory)
        let policies = directory.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        try "version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [surgeon]\n    permissions: [patient:read]\n"
            .write(to: policies.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try Binaries.run(
            "gateway", ["serve"], environment: ["DATABASE_URL": "postgres://ledger@127.0.0.1:1/ledger", "POLICY_DIR": policies.path],
            in: directory)
        #expect(result.status == 1)
        #expect(result.standardError.contains("invalid policy: \(policies.path)/bad.yaml:5: unknown role 'surgeon'"), "\(result.standardError)")
    }

    @Test("keygen creates 0600 key files once and keeps them on re-run")
    func keygenCreatesAndKeeps() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Binaries.run("gateway", ["keygen"], environment: [:], in: directory)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("created ledger signing key"))
        let keyPath = directory.appendingPathComponent(".data/keys/ledger-signing.pem").path
        let kekPath = directory.appendingPathComponent(".data/keys/kek.b64").path
        for path in [keyPath, kekPath] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path) has mode \(String(mode ?? 0, radix: 8))")
        }
        let before = try String(contentsOfFile: keyPath, encoding: .utf8)
        let second = try Binaries.run("gateway", ["keygen"], environment: [:], in: directory)
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("kept existing ledger signing key"))
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == before)
    }

    @Test("migrate applies the migrations and a second run applies none")
    func migrateCommand() async throws {
        try await TestPostgres.withDatabase { database in
            let cluster = database.cluster
            let owner = "postgresql://ledger_owner:\(cluster.ownerPassword)@\(cluster.host):\(cluster.port)/\(database.name)?sslmode=disable"
            let environment = ["DATABASE_OWNER_URL": owner, "LOG_FORMAT": "json"]
            let first = try Binaries.run("gateway", ["migrate"], environment: environment)
            #expect(first.status == 0, "\(first.standardError)")
            let count = try MigrationCatalog.bundled().migrations.count
            #expect(first.standardOutput.contains(#""applied_now":"\#(count)""#))
            let second = try Binaries.run("gateway", ["migrate"], environment: environment)
            #expect(second.status == 0)
            #expect(second.standardOutput.contains(#""applied_now":"0""#))
            #expect(!first.standardOutput.contains(cluster.ownerPassword))
        }
    }
}
