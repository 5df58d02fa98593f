import Foundation
import Synchronization

/// Where finished log lines go. Production writes to standard output; tests capture lines in memory.
protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Standard output, one `write(2)` per line so concurrent lines never interleave; or standard error, for a command
/// whose standard output is its result.
struct StandardOutputSink: LogSink {
    /// 1 (standard output) or 2 (standard error).
    var descriptor: Int32 = 1

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Keeps every line, for tests that assert what was (and was not) logged.
final class CapturingLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    func write(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    var lines: [String] { storage.withLock { $0 } }
}
