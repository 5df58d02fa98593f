import Foundation

/// Reads the policy directory: every `*.yaml` file directly in it (tests live in `tests/` below it), each
/// validated, rule ids unique across files. Any error stops the gateway at start-up.
enum PolicyLoader {
    static func load(directory: String) throws(PolicyFileError) -> PolicySet {
        let files = try yamlFiles(in: directory, what: "the policy directory (POLICY_DIR)")
        guard !files.isEmpty else {
            throw PolicyFileError(file: directory, line: 0, reason: "no policy files (*.yaml); every request would be denied")
        }
        return try set(of: files, directory: directory)
    }

    /// The `*.yaml` files directly in `directory`, in byte order of their names, read as UTF-8.
    static func yamlFiles(in directory: String, what: String) throws(PolicyFileError) -> [PolicySet.File] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        } catch {
            throw PolicyFileError(file: directory, line: 0, reason: "cannot read \(what)")
        }
        var files: [PolicySet.File] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw PolicyFileError(file: path, line: 0, reason: "cannot be read as UTF-8 text")
            }
            files.append(.init(name: name, text: text))
        }
        return files
    }

    /// Parses already-read files; `directory` only prefixes the names in messages.
    static func set(of files: [PolicySet.File], directory: String) throws(PolicyFileError) -> PolicySet {
        var rules: [PolicyRule] = []
        var seen: [String: PolicyRule.Origin] = [:]
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.name)
            for rule in try PolicyFileParser.rules(in: file.text, file: path) {
                if let first = seen[rule.id] {
                    throw PolicyFileError(file: path, line: rule.origin.line, reason: "rule id '\(rule.id)' is also used at \(first)")
                }
                seen[rule.id] = rule.origin
                rules.append(rule)
            }
        }
        return PolicySet(rules: rules, files: files)
    }
}
