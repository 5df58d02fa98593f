/// A configuration value that stops start-up. The message names the environment variable and says what is
/// expected; it never repeats a secret value.
struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault, e.g. `PORT`.
    let variable: String
    /// What is wrong and what would be right.
    let reason: String

    var description: String { "configuration error: \(variable): \(reason)" }

    static func missing(_ variable: String, hint: String) -> Self {
        .init(variable: variable, reason: "is required but not set; \(hint)")
    }

    static func invalid(_ variable: String, _ reason: String) -> Self {
        .init(variable: variable, reason: reason)
    }
}
