import Foundation
import Synchronization

/// Where finished log lines go. Production writes to standard output; tests capture lines in memory.
protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Standard output, one `write(2)` per line so concurrent lines never interleave.
struct StandardOutputSink: LogSink {
    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
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
