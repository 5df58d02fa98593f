import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem document (`application/problem+json`), with the request id so a user can quote it.
struct Problem: Codable, Equatable, Sendable {
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var requestId: String
    var field: String?

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"status":500,"title":"Internal Server Error"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
