import Synchronization

/// The hand-off between callers and the writer loop: callers enqueue and are woken when their batch commits;
/// the loop takes everything waiting at once, which is what makes group commit.
final class WriterQueue<Item: Sendable>: Sendable {
    private let items = Mutex<(pending: [Item], closed: Bool)>(([], false))
    private let signal: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds an item; false once the queue is closed.
    func enqueue(_ item: Item) -> Bool {
        let accepted = items.withLock { state in
            guard !state.closed else { return false }
            state.pending.append(item)
            return true
        }
        if accepted { signal.yield() }
        return accepted
    }

    /// Removes and returns up to `limit` waiting items, oldest first.
    func take(upTo limit: Int) -> [Item] {
        items.withLock { state in
            let count = min(limit, state.pending.count)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
    }

    /// Refuses new items. Items already waiting stay to be taken, and `wakeups` ends once they have been signalled.
    func close() {
        items.withLock { $0.closed = true }
        signal.finish()
    }
}
