import Foundation
import Testing
@testable import Gateway

@Suite("RBAC policy: the shipped policy and its tests, parsing errors, decisions")
struct PolicyTests {
    static var shippedDirectory: String { Binaries.packageRoot.appendingPathComponent("policies").path }

    static func policy(_ files: [String: String]) throws -> PolicySet {
        try PolicyLoader.set(of: files.sorted { $0.key < $1.key }.map { PolicySet.File(name: $0.key, text: $0.value) }, directory: "p")
    }

    static func refusal(_ text: String) -> PolicyFileError? {
        do {
            _ = try policy(["a.yaml": text])
            return nil
        } catch let error as PolicyFileError {
            return error
        } catch {
            return nil
        }
    }

    @Test("the shipped policy loads and passes every decision test in policies/tests")
    func shippedPolicyPassesItsTests() throws {
        let policy = try PolicyLoader.load(directory: Self.shippedDirectory)
        let suite = try PolicyTestSuite.load(directory: Self.shippedDirectory + "/tests")
        #expect(suite.cases.count >= 25)
        let failures = suite.failures(against: policy)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("a failing decision test is reported with its file, line and the deciding rule")
    func failingTestReported() throws {
        let policy = try Self.policy(["a.yaml": """
            version: 1
            rules:
              - id: nurses-read
                effect: allow
                roles: [nurse]
                permissions: [patient:read]
                when: [care_team]
            """])
        let cases = try PolicyTestCase.cases(in: """
            version: 1
            tests:
              - name: passes
                subject: {roles: [nurse]}
                action: read
                resource: {type: patient, care_team: true}
                expect: allow
                rule: nurses-read
              - name: fails
                subject: {roles: [nurse]}
                action: read
                resource: {type: patient}
                expect: allow
            """, file: "t.yaml")
        let failures = PolicyTestSuite(cases: cases).failures(against: policy)
        #expect(failures.map(\.description) == ["t.yaml:9: fails: expected allow, got deny by default: no rule allows this"])
    }

    @Test("invalid policy files are refused with file, line and reason", arguments: [
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [doctor]\n    permissions: [patient:read]\n", 5, "unknown role 'doctor'"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [nurse]\n    permissions: [patient:reed]\n", 6, "unknown permission 'patient:reed'"),
        ("version: 1\nrules:\n  - id: x\n    effect: permit\n    roles: [nurse]\n    permissions: [patient:read]\n", 4, "'effect' must be allow or deny"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    role: [nurse]\n    permissions: [patient:read]\n", 5, "unknown key 'role'"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [nurse]\n    permissions: [patient:read]\n    when: [on_shift]\n", 7, "unknown condition 'on_shift'"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: [nurse]\n    permissions: [patient:read]\n    when:\n      - step_up: 0\n", 8, "'step_up' takes the minutes"),
        ("version: 2\nrules: []\n", 1, "'version' must be 1"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    effect: deny\n", 4, "duplicate key 'effect'"),
        ("version: 1\nrules:\n  - id: [x\n", 4, "not valid YAML"),
        ("version: 1\nrules:\n  - id: x\n    effect: allow\n    roles: nurse\n    permissions: [patient:read]\n", 5, "'roles' must be a list"),
        ("version: 1\nrules:\n  - id: x\n    roles: [nurse]\n    permissions: [patient:read]\n", 3, "missing key 'effect'"),
    ])
    func invalidFilesRefused(text: String, line: Int, reason: String) throws {
        let error = try #require(Self.refusal(text))
        #expect(error.file == "p/a.yaml")
        #expect(error.line == line, "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test("a rule id used twice across files is refused, naming both places")
    func duplicateRuleIDRefused() {
        let rule = "version: 1\nrules:\n  - id: same\n    effect: allow\n    roles: [nurse]\n    permissions: [patient:read]\n"
        #expect(throws: PolicyFileError(file: "p/b.yaml", line: 3, reason: "rule id 'same' is also used at p/a.yaml:3")) {
            try Self.policy(["a.yaml": rule, "b.yaml": rule])
        }
    }

    @Test("an empty or missing policy directory stops start-up")
    func emptyDirectoryRefused() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: PolicyFileError.self) { try PolicyLoader.load(directory: empty.path) }
        #expect(throws: PolicyFileError.self) { try PolicyLoader.load(directory: empty.path + "/absent") }
    }

    @Test("deny overrides allow, unless excludes, wildcards match every action, and nothing applicable denies")
    func decisionRules() throws {
        let policy = try Self.policy(["a.yaml": """
            version: 1
            rules:
              - id: clinicians-read
                effect: allow
                roles: [clinician]
                permissions: [patient:*]
                when: [care_team]
              - id: not-during-break-glass
                effect: deny
                roles: ["*"]
                permissions: [patient:update]
                when: [break_glass]
              - id: own-sessions-unless-stepped-up
                effect: allow
                roles: [nurse]
                permissions: [session:revoke]
                when: [self]
                unless:
                  - step_up: 5
            """])
        let team = AccessFacts(onCareTeam: true)
        #expect(policy.decide(roles: ["clinician"], permission: Permission("patient:archive")!, facts: team).rule?.id == "clinicians-read")
        let denied = policy.decide(
            roles: ["clinician"], permission: Permission("patient:update")!, facts: AccessFacts(onCareTeam: true, breakGlass: true))
        #expect(!denied.allowed)
        #expect(denied.rule?.id == "not-during-break-glass")
        #expect(denied.overridden.map(\.id) == ["clinicians-read"])
        let noTeam = policy.decide(roles: ["clinician"], permission: Permission("patient:read")!, facts: AccessFacts())
        #expect(!noTeam.allowed && noTeam.rule == nil && noTeam.notApplicable.map(\.id) == ["clinicians-read"])
        #expect(!policy.decide(roles: ["nurse"], permission: Permission("patient:read")!, facts: team).allowed)
        #expect(policy.decide(roles: ["nurse"], permission: Permission("session:revoke")!, facts: AccessFacts(isOwn: true)).allowed)
        #expect(!policy.decide(
            roles: ["nurse"], permission: Permission("session:revoke")!, facts: AccessFacts(isOwn: true, secondsSinceStepUp: 120)).allowed)
        #expect(policy.decide(
            roles: ["nurse"], permission: Permission("session:revoke")!, facts: AccessFacts(isOwn: true, secondsSinceStepUp: 301)).allowed)
    }

    @Test("a step-up counts only within its window and never from the future")
    func stepUpWindow() {
        let condition = PolicyCondition.stepUp(withinSeconds: 600)
        #expect(condition.holds(for: AccessFacts(secondsSinceStepUp: 0)))
        #expect(condition.holds(for: AccessFacts(secondsSinceStepUp: 600)))
        #expect(!condition.holds(for: AccessFacts(secondsSinceStepUp: 601)))
        #expect(!condition.holds(for: AccessFacts(secondsSinceStepUp: -1)))
        #expect(!condition.holds(for: AccessFacts()))
    }

    @Test("the policy hash is what `LC_ALL=C sha256sum *.yaml | sha256sum` prints for the same files")
    func hashMatchesShellRecipe() throws {
        // Computed with: printf 'version: 1\nrules: []\n' > a.yaml; printf '# b\nversion: 1\nrules: []\n' > b.yaml;
        // LC_ALL=C sha256sum *.yaml | sha256sum
        let policy = try Self.policy(["b.yaml": "# b\nversion: 1\nrules: []\n", "a.yaml": "version: 1\nrules: []\n"])
        #expect(policy.hash == "7ecf247fe026055eeb58bc0837ecc2c17803ec7b46ec9d88946a30140e4aeee1")
        let changed = try Self.policy(["b.yaml": "# b \nversion: 1\nrules: []\n", "a.yaml": "version: 1\nrules: []\n"])
        #expect(changed.hash != policy.hash)
    }

    @Test("a list reaches every row for an unconditional allow, else only through the allowing relations")
    func listReach() throws {
        let policy = try PolicyLoader.load(directory: Self.shippedDirectory)
        let read = Permission("patient:read")!
        #expect(policy.reach(roles: ["service"], permission: read) == PolicyReach(everything: true))
        #expect(policy.reach(roles: ["clinician"], permission: read) == PolicyReach(through: [.careTeam, .breakGlass]))
        #expect(policy.reach(roles: ["compliance_officer"], permission: read).isEmpty)
    }

    @Test("`gateway policy test` and `explain` run the shipped policy")
    func commands() throws {
        let tested = try Binaries.run("gateway", ["policy", "test", "--dir", Self.shippedDirectory], environment: [:])
        #expect(tested.status == 0, "\(tested.standardError)")
        #expect(tested.standardOutput.contains("policy tests passed"))
        let explained = try Binaries.run(
            "gateway", ["policy", "explain", "--dir", Self.shippedDirectory, "--roles", "admin,clinician", "--permission", "note:read",
                        "--care-team"], environment: [:])
        #expect(explained.status == 0)
        #expect(explained.standardOutput.hasPrefix("deny by admins-read-no-phi (\(Self.shippedDirectory)/separation-of-duties.yaml:"))
        #expect(explained.standardOutput.contains("also applicable, not deciding: allow by clinicians-care-for-their-patients"))
    }
}

@Suite("RBAC policy: the gateway's own permissions")
struct GatewayPermissionTests {
    @Test("every permission the gateway asks for is in the catalog policy files are checked against")
    func gatewayPermissionsAreCatalogued() {
        for permission in Permission.usedByGateway {
            #expect(Permission(permission.description) == permission, "\(permission)")
        }
    }
}
