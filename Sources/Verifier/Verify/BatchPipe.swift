import Foundation

/// Hands batches from the thread reading COPY to the thread verifying them, holding at most `capacity` at once:
/// reading and verifying overlap, and memory stays bounded however long the chain.
final class BatchPipe<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var finished = false
    private var failure: (any Error)?
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room, then adds `batch`.
    func put(_ batch: Batch) {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity, !finished { condition.wait() }
        batches.append(batch)
        condition.broadcast()
    }

    /// No more batches; `error` when reading failed.
    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        failure = error
        condition.broadcast()
    }

    /// The next batch, nil at the end; rethrows the reader's failure once the batches before it are taken.
    func take() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !finished { condition.wait() }
        if !batches.isEmpty {
            let batch = batches.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }
}
