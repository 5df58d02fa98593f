import Foundation

/// Where a report or bundle goes: standard output, or a file that appears whole or not at all (written beside it under a
/// temporary name, renamed when finished, created 0600 since it may hold PHI).
final class OutputFile {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String?) throws {
        self.path = path
        guard let path else {
            temporary = nil
            handle = FileHandle.standardOutput
            return
        }
        let temporary = path + ".partial-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary) else { throw Failure(description: "cannot write \(path)") }
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    func finish() throws {
        guard let path, let temporary else { return }
        try handle.close()
        guard rename(temporary, path) == 0 else { throw Failure(description: "cannot write \(path)") }
    }

    func discard() {
        guard let temporary else { return }
        try? handle.close()
        unlink(temporary)
    }
}
