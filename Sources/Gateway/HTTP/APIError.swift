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

    private init(_ code: Code, _ status: HTTPResponse.Status, detail: String?, field: String? = nil) {
        self.code = code
        self.status = status
        self.detail = detail
        self.field = field
    }

    static func badRequest(_ detail: String) -> APIError { .init(.badRequest, .badRequest, detail: detail) }
    static func invalidField(_ field: String, _ detail: String) -> APIError {
        .init(.validation, .badRequest, detail: detail, field: field)
    }
    /// Missing, invalid, expired or revoked credentials: one answer for all, so a probe learns nothing.
    static let unauthorized = APIError(.unauthorized, .unauthorized, detail: "Sign in again.")
    /// A failed sign-in: the same words whether the email, the password or the account was at fault.
    static let invalidCredentials = APIError(.unauthorized, .unauthorized, detail: "The email or password is not right.")
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
        return response
    }
}
