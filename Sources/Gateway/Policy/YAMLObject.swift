import Yams

/// A YAML mapping read strictly: unknown keys, missing keys and wrong types are errors naming file and line.
/// Policy files are read with it, since a policy that means something other than what it says is worse than
/// none.
struct YAMLObject {
    let file: String
    let mapping: Node.Mapping

    var line: Int { mapping.mark?.line ?? 1 }

    /// The items of a whole policy or policy-test file: a mapping of `version` (which must be
    /// `PolicyFileParser.formatVersion`) and the list under `listKey`.
    static func documentItems(_ text: String, file: String, listKey: String, what: String) throws(PolicyFileError) -> [Node] {
        guard text.utf8.count <= PolicyFileParser.maximumFileBytes else {
            throw PolicyFileError(file: file, line: 1, reason: "larger than \(PolicyFileParser.maximumFileBytes / 1024) KiB")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyFileError(file: file, line: 1, reason: "empty file; give 'version' and '\(listKey)'")
            }
            root = node
        } catch let error as PolicyFileError {
            throw error
        } catch {
            throw PolicyFileError.syntax(error, in: file)
        }
        let document = try YAMLObject(root, file: file, what: what)
        try document.allowOnly(["version", listKey])
        guard try document.optionalInt("version") == PolicyFileParser.formatVersion else {
            throw document.error("'version' must be \(PolicyFileParser.formatVersion)", at: document.node("version"))
        }
        return try document.items(document.required(listKey), key: listKey)
    }

    init(_ node: Node, file: String, what: String) throws(PolicyFileError) {
        guard case .mapping(let mapping) = node else {
            throw PolicyFileError(file: file, line: node.mark?.line ?? 1, reason: "\(what) must be a mapping of keys to values")
        }
        self.file = file
        self.mapping = mapping
    }

    func error(_ reason: String, at node: Node? = nil) -> PolicyFileError {
        PolicyFileError(file: file, line: node?.mark?.line ?? line, reason: reason)
    }

    /// Refuses keys outside `allowed`, so that a misspelt key is not silently ignored.
    func allowOnly(_ allowed: [String]) throws(PolicyFileError) {
        for (key, _) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                throw error("unknown key '\(key.string ?? "?")'; expected one of \(allowed.joined(separator: ", "))", at: key)
            }
        }
    }

    func node(_ key: String) -> Node? { mapping[key] }

    func required(_ key: String) throws(PolicyFileError) -> Node {
        guard let node = mapping[key] else { throw error("missing key '\(key)'") }
        return node
    }

    func string(_ key: String) throws(PolicyFileError) -> String {
        try scalarString(required(key), key: key)
    }

    func optionalString(_ key: String) throws(PolicyFileError) -> String? {
        guard let node = mapping[key] else { return nil }
        return try scalarString(node, key: key)
    }

    func optionalBool(_ key: String) throws(PolicyFileError) -> Bool? {
        guard let node = mapping[key] else { return nil }
        guard case .scalar = node, let value = node.bool else { throw error("'\(key)' must be true or false", at: node) }
        return value
    }

    func optionalInt(_ key: String) throws(PolicyFileError) -> Int? {
        guard let node = mapping[key] else { return nil }
        guard case .scalar = node, let value = node.int else { throw error("'\(key)' must be a whole number", at: node) }
        return value
    }

    /// A list of strings; a single string is not accepted in its place.
    func stringList(_ key: String, required: Bool) throws(PolicyFileError) -> [String] {
        guard let node = mapping[key] else {
            if required { throw error("missing key '\(key)'") }
            return []
        }
        return try items(node, key: key).map { item throws(PolicyFileError) in try scalarString(item, key: key) }
    }

    /// The items of a list.
    func items(_ node: Node, key: String) throws(PolicyFileError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw error("'\(key)' must be a list", at: node) }
        return Array(sequence)
    }

    private func scalarString(_ node: Node, key: String) throws(PolicyFileError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error("'\(key)' must be a non-empty text", at: node)
        }
        return scalar.string
    }
}
