import Foundation
import PostgresNIO

/// The session check every authenticated request makes, prepared once per connection: parsing and planning it
/// each time was a large share of the database's work under load. It only reads: the use is recorded apart, and
/// only when it is due (`LiveSessions.recordUse`), since an UPDATE in the statement was set up by the executor on
/// every request though it wrote on few.
struct LiveSessionStatement: PostgresPreparedStatement {
    /// The name the statement is prepared under on each connection. postgres-nio's default reflects on the type, a
    /// string built on every execution.
    static let name = "live_session"
    static let sql = live + "\nSELECT roles, stepped_up_at, last_seen_at FROM live"

    /// The session row as `live` when it is live; parameters $1 to $4 as `makeBindings` appends them. Other
    /// statements that check the session as they read something else start with it.
    static let live = """
        WITH live AS (
            SELECT s.id, s.last_seen_at, s.stepped_up_at, u.roles FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
              AND s.last_seen_at > $4 AND u.status = 'active'
        )
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .timestamptz, .timestamptz]
    typealias Row = LiveSessions.Found

    let sessionID: UUID
    let userID: UUID
    let now: Date
    /// Sessions last used before this are not live.
    let idleSince: Date

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        appendBindings(to: &bindings)
        return bindings
    }

    /// Appends $1 to $4.
    func appendBindings(to bindings: inout PostgresBindings) {
        bindings.append(sessionID)
        bindings.append(userID)
        bindings.append(now)
        bindings.append(idleSince)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (roles, steppedUpAt, lastSeenAt) = try row.decode(([String], Date?, Date).self)
        return LiveSessions.Found(standing: LiveSessions.Standing(roles: roles, steppedUpAt: steppedUpAt), lastSeenAt: lastSeenAt)
    }
}
