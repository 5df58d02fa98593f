import Foundation

/// Appends signed checkpoints to a file outside the database, one JSON object per line, fsynced. A DBA who
/// rewrites or truncates the chain cannot also rewrite what was written here; `verifier verify --witness`
/// checks the chain against it.
struct WitnessFile: Sendable {
    let path: String

    func append(chain: String, treeSize: Int64, note: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let line: [String: Any] = ["chain": chain, "treeSize": treeSize, "note": note]
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes]))
        bytes.append(UInt8(ascii: "\n"))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Every note in the file, oldest first.
    func notes() throws -> [(chain: String, treeSize: Int64, note: String)] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let chain = object["chain"] as? String, let size = (object["treeSize"] as? NSNumber)?.int64Value,
                  let note = object["note"] as? String
            else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path]) }
            return (chain, size, note)
        }
    }
}
