import NIOCore
import Synchronization

/// The hand-off between callers and the writer loop: callers enqueue and are woken when their batch commits;
/// the loop takes everything waiting at once, which is what makes group commit.
final class WriterQueue<Item: Sendable>: Sendable {
    private struct State {
        var pending: [Item] = []
        var closed = false
        /// The writer waiting in `gather`, with the count it waits for.
        var gatherer: (id: UInt64, count: Int, continuation: CheckedContinuation<Void, Never>)?
        var gatherings: UInt64 = 0
    }

    private let state = Mutex(State())
    private let signal: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds an item; false once the queue is closed.
    func enqueue(_ item: Item) -> Bool {
        let (accepted, gatherer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            state.pending.append(item)
            guard let gatherer = state.gatherer, state.pending.count >= gatherer.count else { return (true, nil) }
            state.gatherer = nil
            return (true, gatherer.continuation)
        }
        gatherer?.resume()
        if accepted { signal.yield() }
        return accepted
    }

    /// How many items are waiting.
    var count: Int { state.withLock { $0.pending.count } }

    /// Returns once `count` items are waiting, the queue is closed, or `limit` has passed (timed on `loop`).
    func gather(_ count: Int, within limit: TimeAmount, on loop: any EventLoop) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id: UInt64? = state.withLock { state in
                guard state.pending.count < count, !state.closed else { return nil }
                state.gatherings &+= 1
                state.gatherer = (state.gatherings, count, continuation)
                return state.gatherings
            }
            guard let id else { return continuation.resume() }
            loop.scheduleTask(in: limit) { self.releaseGatherer(id) }
        }
    }

    /// Removes and returns up to `limit` waiting items, oldest first.
    func take(upTo limit: Int) -> [Item] {
        state.withLock { state in
            let count = min(limit, state.pending.count)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
    }

    /// Refuses new items. Items already waiting stay to be taken, and `wakeups` ends once they have been signalled.
    func close() {
        state.withLock { $0.closed = true }
        releaseGatherer(nil)
        signal.finish()
    }

    /// Wakes the writer in `gather`: the one that waits as `id`, or whichever waits when nil. A timer that fires
    /// after its gathering ended finds another id, or none, and does nothing.
    private func releaseGatherer(_ id: UInt64?) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let gatherer = state.gatherer, id == nil || gatherer.id == id else { return nil }
            state.gatherer = nil
            return gatherer.continuation
        }
        continuation?.resume()
    }
}
