import Foundation
import Hummingbird
import Synchronization

/// The rate-limit outcomes of one request, gathered as it passes the limits (the address limit here, the user
/// limit once the caller is known) and turned into response headers on the way out.
final class RateLimitOutcomes: Sendable {
    private let outcomes = Mutex<[(name: String, decision: GCRA.Decision)]>([])

    func record(_ name: String, _ decision: GCRA.Decision) {
        outcomes.withLock { $0.append((name, decision)) }
    }

    var all: [(name: String, decision: GCRA.Decision)] { outcomes.withLock { $0 } }

    @TaskLocal static var current: RateLimitOutcomes?
}

/// Applies the per-address limit to every API request and adds `RateLimit-Policy` and `RateLimit` to every
/// response, errors included; the per-user limit is applied where the caller is authenticated
/// (`UserRateLimit`). Health probes and metrics are exempt: an orchestrator's probes must not be refused.
/// Sits outside the problem middleware, so the headers reach refused and failed requests too.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let address: RateLimiter?
    let user: RateLimiter?
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard address != nil || user != nil, !path.hasPrefix("/health/"), path != "/metrics" else {
            return try await next(request, context)
        }
        let outcomes = RateLimitOutcomes()
        var response: Response
        let refusal = address.flatMap { address -> GCRA.Decision? in
            let decision = address.admit(context.clientAddress ?? "unknown", now: clock().timeIntervalSince1970)
            outcomes.record(address.name, decision)
            return decision.allowed ? nil : decision
        }
        if let refusal {
            response = APIError.tooManyRequests(
                "Too many requests from this address. Retry after the number of seconds in Retry-After.",
                retryAfter: Int(refusal.retryAfter.rounded(.up))
            ).response(requestID: context.id)
        } else {
            response = try await RateLimitOutcomes.$current.withValue(outcomes) { try await next(request, context) }
        }
        let applicable = [address, user].compactMap { $0 }
        response.headers[.rateLimitPolicy] = RateLimitHeaders.policy(applicable)
        let recorded = outcomes.all
        if !recorded.isEmpty { response.headers[.rateLimit] = RateLimitHeaders.state(recorded) }
        return response
    }
}
