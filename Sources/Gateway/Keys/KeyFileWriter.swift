import Foundation

/// Creates key files: their mode (0600 unless said) from the first byte, in a 0700 directory, never overwriting an
/// existing file.
enum KeyFileWriter {
    enum Outcome: Equatable { case created, keptExisting }

    static func createIfMissing(_ path: String, mode: mode_t = 0o600, contents: () -> String) throws -> Outcome {
        if FileManager.default.fileExists(atPath: path) { return .keptExisting }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { close(descriptor) }
        var bytes = Array(contents().utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return .created
    }
}
