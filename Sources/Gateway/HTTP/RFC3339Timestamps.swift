import Foundation
import Ledger
import OpenAPIRuntime

/// RFC 3339 timestamps with microseconds, the database's precision: an audit trail's times must order events as
/// the ledger did, which whole seconds cannot. Writes `2026-11-22T09:41:07.125000Z`; reads any RFC 3339
/// timestamp, with or without a fraction (up to nanoseconds) and with `Z` or an offset, as clients send them
/// (`Date.toISOString()` gives milliseconds).
struct RFC3339Timestamps: DateTranscoder {
    func encode(_ date: Date) throws -> String { Self.format(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = Self.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Give a date-time as in RFC 3339."))
        }
        return date
    }

    /// Rounded to the nearest microsecond: a time read from the database comes as a binary fraction that may lie
    /// just below its microsecond. Written as the ledger writes its times, digit by digit, since every response
    /// with a record in it formats several.
    static func format(_ date: Date) -> String {
        LedgerTimestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded())).description
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and `z` are accepted as RFC 3339 allows.
    static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count >= 20, scalars.count <= 40 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), scalars[4] == 45, let month = number(5..<7), scalars[7] == 45, let day = number(8..<10),
              scalars[10] == 84 || scalars[10] == 116, let hour = number(11..<13), scalars[13] == 58, let minute = number(14..<16),
              scalars[16] == 58, let second = number(17..<19), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if scalars[index] == 46 {
            let start = index + 1
            index = start
            while index < scalars.count, (48...57).contains(scalars[index]) { index += 1 }
            guard index > start, index - start <= 9, let digits = number(start..<index) else { return nil }
            fraction = Double(digits) / pow(10, Double(index - start))
        }
        guard index < scalars.count else { return nil }
        var offset = 0
        if scalars[index] == 90 || scalars[index] == 122 {
            index += 1
        } else if scalars[index] == 43 || scalars[index] == 45 {
            guard let hours = number(index + 1..<index + 3), scalars.count > index + 3, scalars[index + 3] == 58,
                  let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 60 + minutes) * 60 * (scalars[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == scalars.count else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: utcCalendar), let date = utcCalendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
