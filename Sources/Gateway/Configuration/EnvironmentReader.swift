import Foundation
import Configuration

/// Reads settings by their environment-variable names through one `ConfigReader` (environment in production,
/// an in-memory provider in tests), so every setting is parsed, validated and reported the same way.
struct EnvironmentReader: Sendable {
    let reader: ConfigReader

    init(reader: ConfigReader) {
        self.reader = reader
    }

    /// The process environment.
    static func processEnvironment() -> EnvironmentReader {
        EnvironmentReader(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
    }

    /// An in-memory environment, keyed by variable name (`PORT`, `DATABASE_URL`, ...).
    static func fixed(_ variables: [String: String]) -> EnvironmentReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (name, value) in variables {
            values[Self.key(for: name)] = ConfigValue(.string(value), isSecret: false)
        }
        return EnvironmentReader(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    /// The raw value, with surrounding whitespace removed; nil when unset or empty.
    func string(_ variable: String, secret: Bool = false) -> String? {
        let value = reader.string(forKey: Self.configKey(for: variable), isSecret: secret)?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    func int(_ variable: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(variable) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw .invalid(variable, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ variable: String, default defaultValue: Value) throws(ConfigurationError) -> Value
    where Value.RawValue == String {
        guard let text = string(variable) else { return defaultValue }
        guard let value = Value(rawValue: text.lowercased()) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid(variable, "must be one of \(allowed), got '\(text)'")
        }
        return value
    }

    /// `DATABASE_URL` is read under the dotted key `database.url`, which the environment provider maps back to
    /// `DATABASE_URL`; the mapping is lossless for the upper-case, underscore-separated names we use.
    private static func configKey(for variable: String) -> ConfigKey {
        ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }

    private static func key(for variable: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }
}
