import Foundation
import WebAuthn

/// An opaque page cursor: the sort key of the last item of a page, as base64url JSON, handed back unchanged by
/// the client. A cursor that does not decode to the expected number of keys is refused naming `cursor`.
enum PageCursor {
    static func encode(_ keys: [String]) -> String {
        Base64URL.encode(Array((try? JSONSerialization.data(withJSONObject: keys)) ?? Data()))
    }

    static func decode(_ cursor: String?, keys count: Int) throws -> [String]? {
        guard let cursor else { return nil }
        guard let bytes = Base64URL.decode(cursor),
              let keys = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String], keys.count == count
        else { throw APIError.invalidField("cursor", "Pass back a nextCursor value exactly as it was given.") }
        return keys
    }
}
