import Yams

/// One decision test from policies/tests/: a subject, an action on a resource, and the decision expected.
///
/// ```yaml
/// version: 1
/// tests:
///   - name: a nurse reads a patient on her care team
///     subject: {roles: [nurse]}
///     action: read
///     resource: {type: patient, care_team: true}
///     expect: allow
/// ```
struct PolicyTestCase: Sendable, Equatable {
    let name: String
    let roles: [String]
    let permission: Permission
    let facts: AccessFacts
    let expectAllowed: Bool
    /// When given, the deciding rule must be this one.
    let expectedRule: String?
    let origin: PolicyRule.Origin

    static func cases(in text: String, file: String) throws(PolicyFileError) -> [PolicyTestCase] {
        try YAMLObject.documentItems(text, file: file, listKey: "tests", what: "a policy test file").map { node throws(PolicyFileError) in
            try testCase(YAMLObject(node, file: file, what: "a test"))
        }
    }

    private static func testCase(_ object: YAMLObject) throws(PolicyFileError) -> PolicyTestCase {
        try object.allowOnly(["name", "subject", "action", "resource", "expect", "rule"])
        let subject = try YAMLObject(object.required("subject"), file: object.file, what: "'subject'")
        try subject.allowOnly(["roles", "stepped_up_minutes_ago"])
        let roles = try subject.stringList("roles", required: true)
        for role in roles where Role(rawValue: role) == nil {
            throw subject.error("unknown role '\(role)'", at: subject.node("roles"))
        }
        let resource = try YAMLObject(object.required("resource"), file: object.file, what: "'resource'")
        try resource.allowOnly(["type", "care_team", "self", "break_glass"])
        let action = try object.string("action")
        guard let permission = Permission("\(try resource.string("type")):\(action)") else {
            throw object.error("no permission '\(try resource.string("type")):\(action)'; see policies/README.md", at: object.node("action"))
        }
        let facts = AccessFacts(
            onCareTeam: try resource.optionalBool("care_team") ?? false, isOwn: try resource.optionalBool("self") ?? false,
            breakGlass: try resource.optionalBool("break_glass") ?? false,
            secondsSinceStepUp: try subject.optionalInt("stepped_up_minutes_ago").map { $0 * 60 })
        let expect = try object.string("expect")
        guard expect == "allow" || expect == "deny" else { throw object.error("'expect' must be allow or deny", at: object.node("expect")) }
        return PolicyTestCase(
            name: try object.string("name"), roles: roles, permission: permission, facts: facts, expectAllowed: expect == "allow",
            expectedRule: try object.optionalString("rule"), origin: .init(file: object.file, line: object.line))
    }

    /// Nil when the policy decides as expected, else what went wrong.
    func failure(against policy: PolicySet) -> String? {
        let decision = policy.decide(roles: roles, permission: permission, facts: facts)
        if decision.allowed != expectAllowed {
            return "expected \(expectAllowed ? "allow" : "deny"), got \(decision.summary)"
        }
        if let expectedRule, decision.rule?.id != expectedRule {
            return "expected rule \(expectedRule) to decide, got \(decision.summary)"
        }
        return nil
    }
}
