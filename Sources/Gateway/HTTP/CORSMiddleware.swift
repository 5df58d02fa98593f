import HTTPTypes
import Hummingbird

/// Cross-origin access for browser apps, limited to the configured origins (an allow-list, never a wildcard).
/// A request from any other origin gets no CORS headers, so the browser withholds the response.
struct AllowListCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>
    let allowMethods = "GET, POST, PATCH, DELETE, OPTIONS"
    let allowHeaders = "Authorization, Content-Type, Accept"
    let exposeHeaders = "X-Request-Id, RateLimit, RateLimit-Policy, Retry-After"

    init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin.lowercased()) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: .noContent)
            decorate(&response.headers, origin: origin)
            response.headers[.accessControlAllowMethods] = allowMethods
            response.headers[.accessControlAllowHeaders] = allowHeaders
            response.headers[.accessControlMaxAge] = "600"
            return response
        }
        var response = try await next(request, context)
        decorate(&response.headers, origin: origin)
        response.headers[.accessControlExposeHeaders] = exposeHeaders
        return response
    }

    private func decorate(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowCredentials] = "true"
        headers.append(HTTPField(name: .vary, value: "Origin"))
    }
}
