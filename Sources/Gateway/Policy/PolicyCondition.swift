/// A fact a rule can require (`when`) or exclude (`unless`), DESIGN §6.
enum PolicyCondition: Hashable, Sendable, CustomStringConvertible {
    /// The caller is on the care team of the patient the resource belongs to.
    case careTeam
    /// The resource is the caller's own (their account, their session, a task assigned to them).
    case `self`
    /// The caller holds an active break-glass grant for the resource's patient.
    case breakGlass
    /// The caller's session completed a passkey step-up at most this many seconds ago.
    case stepUp(withinSeconds: Int)

    /// How recent a step-up must be when a rule says only `step_up`.
    static let defaultStepUpWindow = 15 * 60

    var description: String {
        switch self {
        case .careTeam: "care_team"
        case .self: "self"
        case .breakGlass: "break_glass"
        case .stepUp(let seconds): "step_up within \(seconds / 60) min"
        }
    }

    /// Whether the condition holds for these facts. A fact that is unknown counts as not holding.
    func holds(for facts: AccessFacts) -> Bool {
        switch self {
        case .careTeam: facts.onCareTeam
        case .self: facts.isOwn
        case .breakGlass: facts.breakGlass
        case .stepUp(let window):
            facts.secondsSinceStepUp.map { $0 >= 0 && $0 <= window } ?? false
        }
    }
}

/// What is known about the caller's relation to the resource when a request is decided.
struct AccessFacts: Sendable, Equatable {
    var onCareTeam = false
    var isOwn = false
    var breakGlass = false
    /// Nil when the session never stepped up.
    var secondsSinceStepUp: Int?
}
