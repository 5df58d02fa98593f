import ArgumentParser
import Foundation

/// `gateway policy`: check and explain the RBAC policy without starting the server.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Test and explain the access policy (policies/*.yaml).",
        discussion: """
            The policy directory is --dir, else POLICY_DIR, else ./policies. The gateway refuses to start with \
            an invalid policy; these commands show the same messages.
            """,
        subcommands: [PolicyTestCommand.self, PolicyExplainCommand.self, PolicyHashCommand.self])
}

/// Where the policy files are, shared by the policy subcommands.
struct PolicyDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The policy directory (default: POLICY_DIR, else ./policies).")
    var directory: String?

    var resolved: String { directory ?? PolicySettings(environment: .processEnvironment()).directory }

    func load() throws -> PolicySet {
        do {
            return try PolicyLoader.load(directory: resolved)
        } catch {
            throw ValidationError("invalid policy: \(error)")
        }
    }
}

/// `gateway policy test`: runs the decision tests in policies/tests/.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the decision tests in the policy directory's tests/ folder; exit 1 if any fails.")

    @OptionGroup var policy: PolicyDirectoryOption

    func run() throws {
        let set = try policy.load()
        let suite: PolicyTestSuite
        do {
            suite = try PolicyTestSuite.load(directory: (policy.resolved as NSString).appendingPathComponent("tests"))
        } catch {
            throw ValidationError("invalid policy test: \(error)")
        }
        let failures = suite.failures(against: set)
        for failure in failures { print("FAIL \(failure)") }
        print("\(suite.cases.count - failures.count) of \(suite.cases.count) policy tests passed (policy \(set.hash))")
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

/// `gateway policy explain`: which rule decides a request, and which rules did not apply.
struct PolicyExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the decision for one request and the rule that made it.",
        discussion: "Example: gateway policy explain --roles clinician --permission note:read --care-team")

    @OptionGroup var policy: PolicyDirectoryOption
    @Option(help: "The caller's roles, comma-separated.") var roles: String
    @Option(help: "The permission asked for, as resource:action (e.g. patient:read).") var permission: String
    @Flag(help: "The caller is on the patient's care team.") var careTeam = false
    @Flag(name: .customLong("self"), help: "The resource is the caller's own.") var isOwn = false
    @Flag(help: "The caller holds an active break-glass grant for the patient.") var breakGlass = false
    @Option(help: "Minutes since the caller's passkey step-up.") var steppedUpMinutesAgo: Int?

    func run() throws {
        let set = try policy.load()
        let roleNames = roles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if case .failure(let unknown) = Role.validated(roleNames) { throw ValidationError("'\(unknown.name)' is not a role") }
        guard let asked = Permission(permission) else {
            throw ValidationError("'\(permission)' is not a permission; see policies/README.md")
        }
        let facts = AccessFacts(
            onCareTeam: careTeam, isOwn: isOwn, breakGlass: breakGlass, secondsSinceStepUp: steppedUpMinutesAgo.map { $0 * 60 })
        let decision = set.decide(roles: roleNames, permission: asked, facts: facts)
        print(decision.summary)
        if let description = decision.rule?.description { print("  \(description)") }
        for rule in decision.overridden {
            print("  also applicable, not deciding: \(rule.effect.rawValue) by \(rule.id) (\(rule.origin))")
        }
        for rule in decision.notApplicable {
            let conditions = (rule.when.map { "when \($0)" } + rule.unless.map { "unless \($0)" }).joined(separator: ", ")
            print("  not applicable: \(rule.effect.rawValue) by \(rule.id) (\(rule.origin)): \(conditions)")
        }
    }
}

/// `gateway policy hash`: the policy version recorded in ledger entries.
struct PolicyHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the policy set's hash, the policyVersion of the entries written under it.")

    @OptionGroup var policy: PolicyDirectoryOption

    func run() throws {
        print(try policy.load().hash)
    }
}
