import Hummingbird

/// Refuses request bodies over the configured size with 413 before any handler reads them. A declared
/// Content-Length is checked up front; a streamed body is collected only up to the limit.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw APIError.payloadTooLarge(limit: maxBytes)
        }
        var request = request
        if request.method != .get, request.method != .head {
            do {
                _ = try await request.collectBody(upTo: maxBytes)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw APIError.payloadTooLarge(limit: maxBytes)
            }
        }
        return try await next(request, context)
    }
}
