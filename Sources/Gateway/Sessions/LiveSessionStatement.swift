import Foundation
import PostgresNIO

/// The session check every authenticated request makes, prepared once per connection: parsing and planning it
/// each time was a large share of the database's work under load.
struct LiveSessionStatement: PostgresPreparedStatement {
    static let sql = liveAndTouched + "\nSELECT roles, stepped_up_at FROM live"

    /// The session row as `live` when it is live, and the touch; parameters $1 to $5 as `makeBindings` appends them.
    /// Other statements that check the session as they read something else start with it.
    static let liveAndTouched = """
        WITH live AS (
            SELECT s.id, s.last_seen_at, s.stepped_up_at, u.roles FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
              AND s.last_seen_at > $4 AND u.status = 'active'
        ),
        touched AS (
            UPDATE sessions SET last_seen_at = $3 FROM live WHERE sessions.id = live.id AND live.last_seen_at < $5
        )
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .timestamptz, .timestamptz, .timestamptz]
    typealias Row = LiveSessions.Standing

    let sessionID: UUID
    let userID: UUID
    let now: Date
    /// Sessions last used before this are not live.
    let idleSince: Date
    /// Sessions last used before this have their use recorded.
    let touchBefore: Date

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        appendBindings(to: &bindings)
        return bindings
    }

    /// Appends $1 to $5.
    func appendBindings(to bindings: inout PostgresBindings) {
        bindings.append(sessionID)
        bindings.append(userID)
        bindings.append(now)
        bindings.append(idleSince)
        bindings.append(touchBefore)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (roles, steppedUpAt) = try row.decode(([String], Date?).self)
        return LiveSessions.Standing(roles: roles, steppedUpAt: steppedUpAt)
    }
}
