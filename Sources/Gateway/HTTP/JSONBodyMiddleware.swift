import Foundation
import Hummingbird

/// Holds request bodies to the API's one format before any handler sees them: a body must be declared
/// `application/json` (else 415), and may not contain `null` anywhere (else 400 naming the field). The API never
/// gives `null` a meaning: a field left out is left as it is, and `clear` lists what to remove. Accepting `null` as
/// "absent" would let a client believe it cleared a field, or skipped a version check, when it did not.
/// Runs after `BodyLimitMiddleware`, so the body is already collected and bounded.
struct JSONBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: .max)
        guard body.readableBytes > 0 else { return try await next(request, context) }
        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else { throw APIError.unsupportedMediaType }
        // A body that is not JSON at all is left to the decoder, which answers 400 for it.
        if let parsed = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed]),
           let path = Self.firstNull(in: parsed, at: "") {
            throw APIError.invalidField(path.isEmpty ? "body" : path, "Leave a field out instead of sending null.")
        }
        return try await next(request, context)
    }

    /// `application/json`, with parameters (`; charset=utf-8`) and in any case.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// The path of the first `null` (`tags[2]`, `recipient.address`), in key order; nil when there is none.
    static func firstNull(in value: Any, at path: String) -> String? {
        switch value {
        case is NSNull:
            return path
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNull(in: object[key]!, at: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
