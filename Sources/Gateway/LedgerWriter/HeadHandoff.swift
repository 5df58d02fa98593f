import Synchronization

/// What a batch in flight tells the batch after it, so that the next batch can be chained and signed while this one
/// is still in the database: the head it means to commit (`plan`), and when its statement holds the head row's lock
/// with that head in place (`lock`), after which the next batch's statement can be sent to wait on the lock.
///
/// Only a hint: the next batch's statement still checks the head under the lock, and a wrong hint costs a retry,
/// never a wrong chain.
final class HeadHandoff: Sendable {
    private enum Stage {
        /// Not yet chained, or chaining again after an attempt that wrote nothing.
        case preparing
        case planned(ChainHead)
        case locked(ChainHead)
        /// Done, or gone a way the next batch cannot follow: it waits for the end instead.
        case finished
    }

    private struct State {
        var stage = Stage.preparing
        var planWaiters: [CheckedContinuation<ChainHead?, Never>] = []
        var lockWaiters: [CheckedContinuation<ChainHead?, Never>] = []
        var endWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// This batch is chained up to `head` and about to be sent.
    func plan(_ head: ChainHead) {
        announce(.planned(head), head, waking: \.planWaiters)
    }

    /// The planned attempt wrote nothing (another may follow).
    func withdraw() {
        state.withLock { state in
            if case .planned = state.stage { state.stage = .preparing }
        }
    }

    /// This batch's statement has advanced the head to `head`, holding its lock until the commit. A `withdraw` after
    /// this changes nothing.
    func lock(_ head: ChainHead) {
        announce(.locked(head), head, waking: \.lockWaiters)
    }

    private func announce(_ stage: Stage, _ head: ChainHead, waking waiters: WritableKeyPath<State, [CheckedContinuation<ChainHead?, Never>]>) {
        let woken = state.withLock { state -> [CheckedContinuation<ChainHead?, Never>] in
            if case .finished = state.stage { return [] }
            state.stage = stage
            defer { state[keyPath: waiters] = [] }
            return state[keyPath: waiters]
        }
        for waiter in woken { waiter.resume(returning: head) }
    }

    /// This batch is over: committed, failed, or given up on. Idempotent.
    func finish() {
        let (plans, locks, ends) = state.withLock { state in
            state.stage = .finished
            defer { state.planWaiters = []; state.lockWaiters = []; state.endWaiters = [] }
            return (state.planWaiters, state.lockWaiters, state.endWaiters)
        }
        for waiter in plans { waiter.resume(returning: nil) }
        for waiter in locks { waiter.resume(returning: nil) }
        for waiter in ends { waiter.resume() }
    }

    /// The head this batch means to commit, once it is chained; nil once it is over without one to offer.
    func plannedHead() async -> ChainHead? {
        await head(waitingIn: \.planWaiters) { stage in
            switch stage {
            case .planned(let head), .locked(let head): head
            case .preparing, .finished: nil
            }
        }
    }

    /// The head this batch's statement holds locked, once it does; nil once it is over without.
    func lockedHead() async -> ChainHead? {
        await head(waitingIn: \.lockWaiters) { stage in
            if case .locked(let head) = stage { head } else { nil }
        }
    }

    /// The head `offered` finds in the stage now, or nil at once when finished; else waits in `waiters` for the
    /// announcement that fills them.
    private func head(
        waitingIn waiters: WritableKeyPath<State, [CheckedContinuation<ChainHead?, Never>]>,
        offered: (Stage) -> ChainHead?
    ) async -> ChainHead? {
        await withCheckedContinuation { continuation in
            let ready: ChainHead?? = state.withLock { state in
                if case .finished = state.stage { return .some(nil) }
                if let head = offered(state.stage) { return .some(head) }
                state[keyPath: waiters].append(continuation)
                return .none
            }
            if case .some(let head) = ready { continuation.resume(returning: head) }
        }
    }

    /// Returns once this batch is over.
    func finished() async {
        await withCheckedContinuation { continuation in
            let over = state.withLock { state in
                if case .finished = state.stage { return true }
                state.endWaiters.append(continuation)
                return false
            }
            if over { continuation.resume() }
        }
    }
}
