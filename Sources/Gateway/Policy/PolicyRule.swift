/// One rule of a policy file: for callers holding any of `roles`, the `permissions` are allowed (or denied) when
/// every `when` condition holds and no `unless` condition does.
struct PolicyRule: Sendable, Equatable {
    enum Effect: String, Sendable {
        case allow
        case deny
    }

    /// Where a rule was written, for messages and `gateway policy explain`.
    struct Origin: Sendable, Equatable, CustomStringConvertible {
        let file: String
        let line: Int
        var description: String { "\(file):\(line)" }
    }

    let id: String
    let description: String?
    let effect: Effect
    /// Role names; `*` stands for any role.
    let roles: Set<String>
    let permissions: [PermissionPattern]
    let when: [PolicyCondition]
    let unless: [PolicyCondition]
    let origin: Origin

    /// Whether the rule speaks about this caller and permission at all, whatever the facts.
    func covers(roles callerRoles: [String], permission: Permission) -> Bool {
        (roles.contains("*") || callerRoles.contains(where: roles.contains)) && permissions.contains { $0.matches(permission) }
    }

    /// Whether the rule's conditions hold for these facts.
    func applies(to facts: AccessFacts) -> Bool {
        when.allSatisfy { $0.holds(for: facts) } && !unless.contains { $0.holds(for: facts) }
    }
}

