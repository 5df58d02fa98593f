import Crypto
import Ledger

/// The policy in force: every rule of every policy file, and the hash that names this exact set of files.
struct PolicySet: Sendable {
    /// A policy file as read, kept so that its text can be recorded when the set is activated.
    struct File: Sendable, Equatable {
        /// The name relative to the policy directory, e.g. `clinical.yaml`.
        let name: String
        let text: String

        var sha256: String { Hex.encode(SHA256.hash(data: Array(text.utf8))) }
    }

    let rules: [PolicyRule]
    let files: [File]

    /// The policy version written into every ledger entry: SHA-256 (hex) of the `sha256sum` listing of the files
    /// in byte order of their names, so that `(cd policies && LC_ALL=C sha256sum *.yaml) | sha256sum` prints it.
    var hash: String {
        let listing = files.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "\($0.sha256)  \($0.name)\n" }.joined()
        return Hex.encode(SHA256.hash(data: Array(listing.utf8)))
    }

    /// Decides one request: deny overrides allow, and nothing applicable means deny.
    func decide(roles: [String], permission: Permission, facts: AccessFacts) -> PolicyDecision {
        let relevant = rules.filter { $0.covers(roles: roles, permission: permission) }
        let applicable = relevant.filter { $0.applies(to: facts) }
        let notApplicable = relevant.filter { !$0.applies(to: facts) }
        guard let deciding = applicable.first(where: { $0.effect == .deny }) ?? applicable.first else {
            return PolicyDecision(allowed: false, rule: nil, overridden: [], notApplicable: notApplicable)
        }
        return PolicyDecision(
            allowed: deciding.effect == .allow, rule: deciding, overridden: applicable.filter { $0.id != deciding.id },
            notApplicable: notApplicable)
    }

    /// Which relations to a patient could let these roles hold `permission`: what a list query must include
    /// before each row is decided on its own. A superset is safe, since every row is still decided by `decide`.
    func reach(roles: [String], permission: Permission) -> PolicyReach {
        var reach = PolicyReach()
        for rule in rules where rule.effect == .allow && rule.covers(roles: roles, permission: permission) {
            let relational = rule.when.filter { condition in
                switch condition {
                case .careTeam, .breakGlass, .self: true
                case .stepUp: false
                }
            }
            // A rule needing several relations at once is reached through any one of them: a superset.
            if let first = relational.first {
                reach.through.insert(first)
            } else {
                reach.everything = true
            }
        }
        return reach
    }
}

/// The rows a list may show before each is decided: all of them, or those reached through some relations.
struct PolicyReach: Sendable, Equatable {
    var everything = false
    var through: Set<PolicyCondition> = []

    var isEmpty: Bool { !everything && through.isEmpty }
}
