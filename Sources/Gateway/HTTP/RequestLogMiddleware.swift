import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Logs one line per request: method, path (never the query string, which may hold search terms about a
/// patient), status and duration. Bodies, the Authorization header and cookies are never logged.
/// Also sets `X-Request-Id` on every response.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.uri.path)",
                "status": "\(response.status.code)",
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            ])
        return response
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the id quoted in logs, problem documents and ledger entries.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
