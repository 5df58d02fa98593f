import Foundation

/// Runs the built executables (`gateway`, `verifier`) as a user would.
enum Binaries {
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["LEDGER_TEST_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// The package's root folder: Tests/GatewayTests/Support/Binaries.swift, four levels up.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs `name` with `arguments` and exactly `environment` (nothing inherited), waiting for it to exit.
    static func run(_ name: String, _ arguments: [String], environment: [String: String], in workingDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.arguments = arguments
        process.environment = environment
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
