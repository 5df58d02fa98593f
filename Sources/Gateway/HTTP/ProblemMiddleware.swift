import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns every error that reaches the edge into a problem document. Errors we did not anticipate become a
/// generic 500: only their type is logged, since an error's description may hold SQL or PHI.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error_type": "\(Self.typeName(of: error))"])
            }
            return apiError.response(requestID: context.id)
        }
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let refusal as any APIErrorConvertible:
            return refusal.apiError
        case let error as ServerError:
            // The OpenAPI runtime wraps handler and decoding errors; the cause decides the answer.
            if let inner = error.underlyingError as? APIError { return inner }
            if let decoding = error.underlyingError as? DecodingError {
                // A refused query parameter comes without its name; the contract tells which one it was.
                if let query = error.request.path?.split(separator: "?", maxSplits: 1).dropFirst().first,
                   let name = QueryParameterCheck.contract?.firstRefused(operationID: error.operationID, query: String(query)) {
                    return .invalidField(name, "This value is not one the API accepts here.")
                }
                return DecodingProblem.apiError(decoding)
            }
            return apiError(for: error.underlyingError)
        case LedgerWriteError.unavailable:
            return .unavailable("The change could not be recorded in the ledger, so it was not made. Try again shortly.")
        case LedgerWriteError.outcomeUnknown:
            return .unavailable("The database stopped answering before the change was confirmed: it may or may not have been made. Check before trying again.")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound
            case .methodNotAllowed: return .methodNotAllowed
            case .contentTooLarge: return .payloadTooLarge(limit: nil)
            case .badRequest: return .badRequest(error.body ?? "The request is malformed.")
            default: return error.status.code >= 500 ? .internal : .badRequest(error.status.reasonPhrase)
            }
        default:
            return .internal
        }
    }

    private static func typeName(of error: any Error) -> String {
        if let serverError = error as? ServerError {
            return "\(type(of: serverError.underlyingError))"
        }
        return "\(type(of: error))"
    }
}
