import Synchronization

/// One named rate limit (`address` or `user`) with its GCRA state per client, kept in this process's memory.
/// Each gateway enforces its own; several gateways behind a balancer together allow up to their number times the
/// quota, which the README says. Clients not seen for a whole window are forgotten, so memory stays bounded by
/// the clients of the last window.
final class RateLimiter: Sendable {
    let name: String
    let rule: GCRA
    private struct State {
        var tats: [String: Double] = [:]
        var lastSweep: Double = 0
    }

    private let state = Mutex(State())
    /// Past this many tracked clients, forgotten ones are swept before a new one is added.
    private let sweepThreshold: Int

    init(name: String, quota: Int, window: Double, sweepThreshold: Int = 100_000) {
        self.name = name
        self.rule = GCRA(quota: quota, window: window)
        self.sweepThreshold = sweepThreshold
    }

    /// Decides one request from `client` at `now` (seconds) and remembers the outcome.
    func admit(_ client: String, now: Double) -> GCRA.Decision {
        state.withLock { state in
            let decision = rule.decide(tat: state.tats[client], now: now)
            // At most one sweep a second, so a flood of new clients cannot make every request scan the table.
            if state.tats[client] == nil, state.tats.count >= sweepThreshold, now - state.lastSweep >= 1 {
                // A TAT in the past means the quota is whole again: the same as never seen.
                state.tats = state.tats.filter { $0.value > now }
                state.lastSweep = now
            }
            state.tats[client] = decision.tat
            return decision
        }
    }

    /// Clients currently tracked.
    var trackedClients: Int { state.withLock { $0.tats.count } }
}
