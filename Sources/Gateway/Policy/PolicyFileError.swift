import Yams

/// Why a policy or policy-test file was refused: the file, the line and the reason, as the gateway prints it
/// before stopping.
struct PolicyFileError: Error, Equatable, CustomStringConvertible {
    let file: String
    let line: Int
    let reason: String

    var description: String { "\(file):\(line): \(reason)" }

    /// Turns a YAML syntax error into one naming the file and line.
    static func syntax(_ error: any Error, in file: String) -> PolicyFileError {
        guard let yaml = error as? YamlError else { return PolicyFileError(file: file, line: 1, reason: "\(error)") }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PolicyFileError(file: file, line: mark.line, reason: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PolicyFileError(
                file: file, line: context.mark.line, reason: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        default:
            return PolicyFileError(file: file, line: 1, reason: "not valid YAML")
        }
    }
}
