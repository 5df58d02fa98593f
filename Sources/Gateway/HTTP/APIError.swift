import Foundation
import HTTPTypes
import Hummingbird

/// An error the API reports to clients as an RFC 9457 problem document. Its text is written for the client and
/// must never carry SQL, stack traces, secrets or PHI.
struct APIError: HTTPResponseError, Equatable {
    private enum Code: String {
        case badRequest = "bad-request"
        case validation = "validation"
        case unauthorized = "unauthorized"
        case forbidden = "forbidden"
        case conflict = "conflict"
        case tooManyRequests = "too-many-requests"
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case payloadTooLarge = "payload-too-large"
        case unsupportedMediaType = "unsupported-media-type"
        case unavailable = "unavailable"
        case `internal` = "internal"
    }

    private let code: Code
    let status: HTTPResponse.Status
    let detail: String?
    /// The request field at fault, for validation errors.
    let field: String?
    /// Seconds until a refused request may be retried (`Retry-After`), for 429s.
    let retryAfter: Int?

    private init(_ code: Code, _ status: HTTPResponse.Status, detail: String?, field: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.status = status
        self.detail = detail
        self.field = field
        self.retryAfter = retryAfter
    }

    static func badRequest(_ detail: String) -> APIError { .init(.badRequest, .badRequest, detail: detail) }
    static func invalidField(_ field: String, _ detail: String) -> APIError {
        .init(.validation, .badRequest, detail: detail, field: field)
    }
    /// Missing, invalid, expired or revoked credentials: one answer for all, so a probe learns nothing.
    static let unauthorized = APIError(.unauthorized, .unauthorized, detail: "Sign in again.")
    /// A failed sign-in: the same words whether the email, the password or the account was at fault.
    static let invalidCredentials = APIError(.unauthorized, .unauthorized, detail: "The email or password is not right.")
    /// A refused sign-in that is not about a password (a passkey that did not verify), saying what to do.
    static func signInRefused(_ detail: String) -> APIError { .init(.unauthorized, .unauthorized, detail: detail) }
    /// The caller is signed in but their roles do not allow this (for endpoints that hold no PHI; a denied PHI
    /// read answers 404 instead, so that existence does not leak).
    static func forbidden(_ detail: String) -> APIError { .init(.forbidden, .forbidden, detail: detail) }
    static func conflict(_ detail: String) -> APIError { .init(.conflict, .conflict, detail: detail) }
    /// A rate limit or a sign-in lockout: try again after `retryAfter` seconds.
    static func tooManyRequests(_ detail: String, retryAfter: Int) -> APIError {
        .init(.tooManyRequests, .tooManyRequests, detail: detail, retryAfter: max(1, retryAfter))
    }
    static let notFound = APIError(.notFound, .notFound, detail: nil)
    static let methodNotAllowed = APIError(.methodNotAllowed, .methodNotAllowed, detail: nil)
    static func payloadTooLarge(limit: Int?) -> APIError {
        let detail = limit.map { "The request body is larger than \($0) bytes." } ?? "The request body is too large."
        return .init(.payloadTooLarge, .contentTooLarge, detail: detail)
    }
    static let unsupportedMediaType = APIError(
        .unsupportedMediaType, .unsupportedMediaType, detail: "Send a JSON body with Content-Type: application/json.")
    static func unavailable(_ detail: String) -> APIError { .init(.unavailable, .serviceUnavailable, detail: detail) }
    static let `internal` = APIError(
        .internal, .internalServerError, detail: "The request could not be completed. Quote the request id when reporting it.")

    /// The problem document for this error.
    func problem(requestID: String) -> Problem {
        Problem(
            type: "https://phi-ledger.dev/problems/\(code.rawValue)",
            title: status.reasonPhrase,
            status: status.code,
            detail: detail,
            requestId: requestID,
            field: field)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: context.id)
    }

    /// The problem response, with the `WWW-Authenticate` challenge a 401 must carry (RFC 9110).
    func response(requestID: String) -> Response {
        var response = problem(requestID: requestID).response()
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = #"Bearer realm="phi-ledger""#
        }
        if let retryAfter {
            response.headers[.retryAfter] = String(retryAfter)
        }
        return response
    }
}

/// An error that stands for one API answer, such as a service's refusal. The problem middleware answers with it,
/// so handlers need not translate each refusal themselves.
protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
