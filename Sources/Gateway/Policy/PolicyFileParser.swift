import Yams

/// Reads one policy file (policies/README.md describes the format):
///
/// ```yaml
/// version: 1
/// rules:
///   - id: clinicians-read-their-patients
///     effect: allow
///     roles: [clinician]
///     permissions: [patient:read, note:read]
///     when: [care_team]
/// ```
enum PolicyFileParser {
    static let formatVersion = 1
    static let maximumFileBytes = 256 * 1024
    static let ruleKeys = ["id", "description", "effect", "roles", "permissions", "when", "unless"]

    static func rules(in text: String, file: String) throws(PolicyFileError) -> [PolicyRule] {
        try YAMLObject.documentItems(text, file: file, listKey: "rules", what: "a policy file").map { node throws(PolicyFileError) in
            try rule(YAMLObject(node, file: file, what: "a rule"))
        }
    }

    private static func rule(_ object: YAMLObject) throws(PolicyFileError) -> PolicyRule {
        try object.allowOnly(ruleKeys)
        let id = try object.string("id")
        guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw object.error("rule id '\(id)' may hold only letters, digits, '-' and '_'", at: object.node("id"))
        }
        guard let effect = PolicyRule.Effect(rawValue: try object.string("effect")) else {
            throw object.error("'effect' must be allow or deny", at: object.node("effect"))
        }
        let roles = try object.stringList("roles", required: true)
        guard !roles.isEmpty else { throw object.error("'roles' must name at least one role", at: object.node("roles")) }
        for role in roles where role != "*" && Role(rawValue: role) == nil {
            throw object.error(
                "unknown role '\(role)'; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")) or *", at: object.node("roles"))
        }
        let permissionNames = try object.stringList("permissions", required: true)
        guard !permissionNames.isEmpty else {
            throw object.error("'permissions' must name at least one permission", at: object.node("permissions"))
        }
        var permissions: [PermissionPattern] = []
        for name in permissionNames {
            guard let pattern = PermissionPattern(name) else {
                throw object.error("unknown permission '\(name)'; see policies/README.md for the list", at: object.node("permissions"))
            }
            permissions.append(pattern)
        }
        return PolicyRule(
            id: id, description: try object.optionalString("description"), effect: effect, roles: Set(roles),
            permissions: permissions, when: try conditions(object, key: "when"), unless: try conditions(object, key: "unless"),
            origin: .init(file: object.file, line: object.line))
    }

    /// `care_team`, `self`, `break_glass`, `step_up`, or `step_up: MINUTES`.
    private static func conditions(_ object: YAMLObject, key: String) throws(PolicyFileError) -> [PolicyCondition] {
        guard let list = object.node(key) else { return [] }
        return try object.items(list, key: key).map { item throws(PolicyFileError) in
            switch item {
            case .scalar(let scalar):
                switch scalar.string {
                case "care_team": return .careTeam
                case "self": return .self
                case "break_glass": return .breakGlass
                case "step_up": return .stepUp(withinSeconds: PolicyCondition.defaultStepUpWindow)
                default:
                    throw object.error("unknown condition '\(scalar.string)'; use care_team, self, break_glass or step_up", at: item)
                }
            case .mapping:
                let condition = try YAMLObject(item, file: object.file, what: "a condition")
                try condition.allowOnly(["step_up"])
                guard let minutes = try condition.optionalInt("step_up"), (1...1440).contains(minutes) else {
                    throw object.error("'step_up' takes the minutes since the step-up, from 1 to 1440", at: item)
                }
                return .stepUp(withinSeconds: minutes * 60)
            default:
                throw object.error("a condition is a name, or 'step_up: MINUTES'", at: item)
            }
        }
    }
}
