import Hummingbird
import Logging
import NIOCore

/// What a request's handlers need to know about the request beyond its input: who sent it and under which id,
/// for the ledger entries they write. The generated OpenAPI handlers see only their input, so the scope travels
/// as a task-local set by `RequestScopeMiddleware`.
struct RequestScope: Sendable {
    let requestID: String
    /// The peer's IP address, without port; nil when not known (in-process tests).
    let clientAddress: String?
    /// The `Authorization` header, for the handlers that require a signed-in caller. Never logged.
    let authorization: String?
    let logger: Logger

    @TaskLocal static var current: RequestScope?
}

/// Makes the request's `RequestScope` available to the handlers it reaches.
struct RequestScopeMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let scope = RequestScope(
            requestID: context.requestID, clientAddress: context.clientAddress, authorization: request.headers[.authorization],
            logger: context.logger)
        return try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
    }
}
