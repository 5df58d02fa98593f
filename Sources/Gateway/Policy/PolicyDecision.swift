/// A policy decision and the rule that made it: the first applicable deny rule, else the first applicable allow
/// rule, else nothing (default deny).
struct PolicyDecision: Sendable, Equatable {
    let allowed: Bool
    /// Nil when no rule applied and the default denied.
    let rule: PolicyRule?
    /// Rules whose conditions held but that did not decide (allows overridden by a deny, or later matches).
    let overridden: [PolicyRule]
    /// Rules about this caller and permission whose conditions did not hold, for explanations.
    let notApplicable: [PolicyRule]

    /// Allowed by a rule that needs a break-glass grant: the access is emergency treatment, flagged as such.
    var reliesOnBreakGlass: Bool { allowed && rule?.when.contains(.breakGlass) == true }

    /// One line saying what decided, e.g. `deny by admin-reads-no-phi (separation-of-duties.yaml:7)`.
    var summary: String {
        let verdict = allowed ? "allow" : "deny"
        guard let rule else { return "\(verdict) by default: no rule allows this" }
        return "\(verdict) by \(rule.id) (\(rule.origin))"
    }
}
