/// The generic cell rate algorithm: a quota of `quota` requests per `window` seconds, all of which may be spent at
/// once, refilled at a steady rate. Its whole state per client is one number, the theoretical arrival time (TAT).
/// Pure: the caller keeps the state and supplies the time.
struct GCRA: Sendable, Equatable {
    let quota: Int
    let window: Double

    /// What one request was told.
    struct Decision: Sendable, Equatable {
        let allowed: Bool
        /// The state to keep for the next request.
        let tat: Double
        /// Requests that could still be made at once.
        let remaining: Int
        /// Seconds until the quota is whole again.
        let reset: Double
        /// When refused, seconds until a request would be allowed.
        let retryAfter: Double
    }

    private var emissionInterval: Double { window / Double(quota) }

    /// Decides a request at `now` given the previous `tat` (nil for a client not seen, or forgotten).
    func decide(tat previous: Double?, now: Double) -> Decision {
        let tat = max(previous ?? now, now)
        let next = tat + emissionInterval
        let allowAt = next - window
        guard now >= allowAt else {
            let remaining = 0
            return Decision(allowed: false, tat: tat, remaining: remaining, reset: tat - now, retryAfter: allowAt - now)
        }
        // Small epsilon: floating-point rounding must not cost a request.
        let remaining = Int(((now + window - next) / emissionInterval + 1e-9).rounded(.down))
        return Decision(allowed: true, tat: next, remaining: max(0, remaining), reset: next - now, retryAfter: 0)
    }
}
