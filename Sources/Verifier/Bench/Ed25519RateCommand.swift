import ArgumentParser
import Dispatch
import Foundation
import Ledger
import Synchronization

/// `verifier ed25519-rate`: how many Ed25519 signatures this machine verifies per second on every core, the
/// ceiling `make bench-verifier` compares full verification with. Not shown in `--help`.
struct Ed25519RateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ed25519-rate", abstract: "Measure Ed25519 verifications per second on every core.", shouldDisplay: false)

    @Option(help: "Seconds to measure.")
    var seconds: Double = 3

    func run() throws {
        let key = Ed25519SigningKey.generate()
        // 32-byte messages, as entry hashes are.
        let messages = (0..<1024).map { n in [UInt8](repeating: UInt8(n & 0xff), count: 31) + [UInt8(n >> 8)] }
        let signatures = messages.map { key.sign($0) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let total = Atomic<Int>(0)
        let publicKey = key.publicKey
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: cores) { _ in
            var count = 0
            while Date().timeIntervalSince(start) < seconds {
                for (message, signature) in zip(messages, signatures) where publicKey.isValidSignature(signature, for: message) {
                    count += 1
                }
            }
            total.add(count, ordering: .relaxed)
        }
        let elapsed = Date().timeIntervalSince(start)
        print(String(format: #"{"cores":%d,"verifications_per_second":%.0f}"#, cores, Double(total.load(ordering: .relaxed)) / elapsed))
    }
}
