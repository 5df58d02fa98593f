import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal (never into a pipe or
/// a log file).
struct ProgressBar {
    let enabled = isatty(STDERR_FILENO) == 1
    private var lastDrawn = Date.distantPast

    mutating func update(done: Int64, total: Int64) {
        guard enabled, Date().timeIntervalSince(lastDrawn) > 0.1 || done == total else { return }
        lastDrawn = Date()
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) entries".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
