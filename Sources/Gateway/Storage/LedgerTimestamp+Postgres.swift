import Foundation
import Ledger
import NIOCore
import PostgresNIO

/// An entry's time bound as exactly the `timestamptz` it is: whole microseconds since 2000-01-01. A Swift `Date`
/// goes through a `Double` and is truncated on the way, so a projection's time could land a microsecond before
/// the entry that wrote it, and replaying the ledger would then disagree with the table.
extension LedgerTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable {
    /// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
    static let postgresEpochOffset: Int64 = 946_684_800_000_000

    public static var psqlType: PostgresDataType { .timestamptz }
    public static var psqlFormat: PostgresFormat { .binary }
    public static var psqlArrayType: PostgresDataType { .timestamptzArray }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microsecondsSinceEpoch - Self.postgresEpochOffset)
    }

    /// The microsecond nearest `date`: a time a client sent (parsed from RFC 3339) kept as it was written, so the
    /// ledger's payload and the table hold the same instant.
    init(nearest date: Date) {
        self.init(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// This time as PostgresNIO decodes the `timestamptz` holding it, so that a record made in Swift equals the same
    /// record read back from its table.
    var storedDate: Date {
        Date(timeInterval: Double(microsecondsSinceEpoch - Self.postgresEpochOffset) / 1_000_000, since: Self.postgresEpoch)
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// This time plus `seconds`.
    func adding(seconds: Int) -> LedgerTimestamp {
        LedgerTimestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64(seconds) * 1_000_000)
    }
}
