/// How failed sign-ins are slowed down and then locked out (DESIGN §4), per account and per client address.
/// Pure: the numbers and the rule, no storage.
struct LoginThrottlePolicy: Sendable, Equatable {
    /// Failures on one account after which each further failure is answered more slowly
    /// (`LOGIN_SLOWDOWN_AFTER_FAILURES`).
    var slowdownAfter: Int = 3
    /// Failures on one account that lock it (`LOGIN_LOCKOUT_AFTER_FAILURES`)...
    var accountLockoutAfter: Int = 10
    /// ...and from one client address that lock the address (`LOGIN_ADDRESS_LOCKOUT_AFTER_FAILURES`).
    var addressLockoutAfter: Int = 100
    /// How long a lockout lasts, and the window failures are counted in (`LOGIN_LOCKOUT_SECONDS`).
    var lockoutSeconds: Int = 900

    /// The longest a failed answer is held back.
    static let longestDelay: Duration = .seconds(8)

    /// How long to hold back the answer to a failure that brought the account's count to `failures`: nothing up to
    /// `slowdownAfter`, then half a second, doubling with each further failure up to `longestDelay`.
    func delay(afterFailures failures: Int) -> Duration {
        let beyond = failures - slowdownAfter
        guard beyond > 0 else { return .zero }
        let doublings = min(beyond - 1, 5)
        return min(.milliseconds(500 * (1 << doublings)), Self.longestDelay)
    }
}
