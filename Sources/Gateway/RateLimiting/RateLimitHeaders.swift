import HTTPTypes

/// The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers (structured-field
/// lists): `"address";q=600;w=60` says the quota and window, `"address";r=599;t=1` what is left and when the
/// quota is whole again.
enum RateLimitHeaders {
    static func policy(_ limiters: [RateLimiter]) -> String {
        limiters.map { "\"\($0.name)\";q=\($0.rule.quota);w=\(Int($0.rule.window))" }.joined(separator: ", ")
    }

    static func state(_ outcomes: [(name: String, decision: GCRA.Decision)]) -> String {
        outcomes.map { "\"\($0.name)\";r=\($0.decision.remaining);t=\(Int($0.decision.reset.rounded(.up)))" }.joined(separator: ", ")
    }
}

extension HTTPField.Name {
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
}
