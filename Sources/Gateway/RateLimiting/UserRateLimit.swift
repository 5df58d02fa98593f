import Foundation

/// The per-user limit, applied once a request's caller is known.
struct UserRateLimit: Sendable {
    let limiter: RateLimiter?
    let clock: @Sendable () -> Date

    /// Counts a request by `userID`, noting the outcome for the response headers; refuses with 429 past the quota.
    func admit(_ userID: UUID) throws {
        guard let limiter else { return }
        let decision = limiter.admit(userID.text, now: clock().timeIntervalSince1970)
        RateLimitOutcomes.current?.record(limiter.name, decision)
        guard decision.allowed else {
            throw APIError.tooManyRequests(
                "Too many requests for this account. Retry after the number of seconds in Retry-After.",
                retryAfter: Int(decision.retryAfter.rounded(.up)))
        }
    }
}
