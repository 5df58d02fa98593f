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

    /// A timestamp as a cursor key: whole microseconds since 1970, PostgreSQL's precision, so that the key
    /// compares equal to the stored value.
    static func key(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// The microseconds of a cursor key made by `key(_:)`. Compare them in SQL as `micros_timestamp(micros)`:
    /// binding a `Date` would truncate to a neighbouring microsecond and skip or repeat rows at the page's edge.
    static func micros(_ key: String) throws -> Int64 {
        guard let micros = Int64(key) else { throw APIError.invalidField("cursor", "Pass back a nextCursor value exactly as it was given.") }
        return micros
    }

    /// Splits the `limit + 1` rows a page query fetched into the page and, when more follow, the keys of its last
    /// row for the next cursor.
    static func page<Item>(_ rows: [Item], limit: Int, keys: (Item) -> [String]) -> (items: [Item], next: [String]?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map(keys))
    }
}
