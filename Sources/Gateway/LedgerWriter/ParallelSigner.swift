import Dispatch
import Foundation
import Ledger

/// Signs many hashes on every core. The writer's task stays on one event-loop thread (NIO runs Swift
/// concurrency here and keeps a task where it started), so child tasks would not run in parallel: the work is
/// handed to Dispatch's pool instead, and the task waits without blocking its thread.
enum ParallelSigner {
    static func sign(_ hashes: [[UInt8]], with key: Ed25519SigningKey) async -> [[UInt8]] {
        if hashes.count < 8 { return hashes.map { key.sign($0) } }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                let lanes = min(hashes.count / 4, ProcessInfo.processInfo.activeProcessorCount * 2)
                let chunk = (hashes.count + lanes - 1) / lanes
                let results = SignatureSlots(count: hashes.count)
                DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                    for index in (lane * chunk)..<min((lane + 1) * chunk, hashes.count) {
                        results.store(key.sign(hashes[index]), at: index)
                    }
                }
                continuation.resume(returning: results.values)
            }
        }
    }
}

/// Result slots written by disjoint lanes of `concurrentPerform`, read once all lanes have finished.
///
/// `@unchecked Sendable` is sound: every index is written by exactly one lane, and `values` is read only after
/// `concurrentPerform` returns, which orders all the writes before the read.
private final class SignatureSlots: @unchecked Sendable {
    private var slots: [[UInt8]]

    init(count: Int) {
        slots = [[UInt8]](repeating: [], count: count)
    }

    func store(_ value: [UInt8], at index: Int) {
        slots.withUnsafeMutableBufferPointer { $0[index] = value }
    }

    var values: [[UInt8]] { slots }
}
