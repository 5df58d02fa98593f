import Synchronization

/// A value that several tasks race to give: the first offer is kept and handed to the one waiter, later offers
/// are dropped.
final class FirstAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, answered: Bool, waiter: CheckedContinuation<Value, Never>?)>((nil, false, nil))

    /// Gives `value` unless another was given first.
    func offer(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLock { state in
            guard !state.answered else { return nil }
            state.answered = true
            guard let waiter = state.waiter else {
                state.value = value
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// The first value offered, once there is one. Awaited by one task only.
    var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Value?? = state.withLock { state in
                    if state.answered { return .some(state.value) }
                    state.waiter = continuation
                    return .none
                }
                if case .some(let value) = ready { continuation.resume(returning: value!) }
            }
        }
    }
}
