import Foundation
import Ledger
import Testing
@testable import Gateway

@Suite("RBAC policy: activation is recorded in the ledger, and every entry names the policy in force")
struct PolicyActivationTests {
    static let shipped = Binaries.packageRoot.appendingPathComponent("policies").path

    @Test("start-up records the policy once with its files; a restart with the same files adds nothing; a change is recorded")
    func activationRecorded() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let signingKey = Ed25519SigningKey.generate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            let shippedHash = try PolicyLoader.load(directory: Self.shipped).hash

            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                _ = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
            }
            try await TestGateway.withApp(database: database, configure: TestAccounts.configure(signingKey)) { client in
                _ = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
            }
            // A copy of the policy with one more comment line is a different policy set.
            let changed = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString)")
            try FileManager.default.copyItem(atPath: Self.shipped, toPath: changed.path)
            defer { try? FileManager.default.removeItem(at: changed) }
            let accounts = changed.appendingPathComponent("accounts.yaml")
            try (String(contentsOf: accounts, encoding: .utf8) + "# reviewed\n").write(to: accounts, atomically: true, encoding: .utf8)
            let changedHash = try PolicyLoader.load(directory: changed.path).hash
            let configure = TestAccounts.configure(signingKey)
            try await TestGateway.withApp(database: database, configure: { configuration in
                configure(&configuration)
                configuration.policy.directory = changed.path
            }) { client in
                _ = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
            }

            let chain = try await WriterHarness.with(database, signingKey: signingKey) { try await $0.verifiedChain() }
            let activations = chain.filter { $0.entry.action == "policy.activate" }
            #expect(activations.map(\.entry.resource?.id) == [shippedHash, changedHash])
            guard case .clear(let payload) = activations.first?.entry.payload, case .array(let files)? = payload["files"] else {
                throw TestFailure("the activation entry carries no file list")
            }
            let names = files.compactMap { file -> String? in if case .string(let name)? = file["name"] { name } else { nil } }
            #expect(names == ["accounts.yaml", "clinical.yaml", "integrations.yaml", "oversight.yaml", "separation-of-duties.yaml"])
            // Entries written while a policy was in force carry its hash; those before any gateway ran carry none.
            let logins = chain.filter { $0.entry.action == "auth.login" }
            #expect(logins.map(\.entry.policyVersion) == [shippedHash, shippedHash, changedHash])
            #expect(activations.allSatisfy { $0.entry.policyVersion == $0.entry.resource?.id })
        }
    }
}
