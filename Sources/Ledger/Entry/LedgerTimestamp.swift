import Foundation

/// A UTC instant with microsecond precision, written as RFC 3339 with exactly six fractional digits and `Z`
/// (`2026-11-21T19:31:36.123456Z`) so that one instant has one spelling.
public struct LedgerTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public let microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The instant `date`, truncated to the microsecond.
    public init(_ date: Date) {
        self.microsecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// Now, truncated to the microsecond.
    public static func now() -> LedgerTimestamp { LedgerTimestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }

    public static func < (lhs: LedgerTimestamp, rhs: LedgerTimestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public var description: String {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `description`'s 27 bytes to `out`, digit by digit: this runs once per entry on the write path, where
    /// String(format:) is costly.
    public func write(into out: inout [UInt8]) {
        var seconds = microsecondsSinceEpoch / 1_000_000
        var micros = microsecondsSinceEpoch % 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (year, month, day) = Self.civil(fromDays: days)
        func put(_ value: Int64, width: Int, then separator: Unicode.Scalar?) {
            let start = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
            var remaining = value
            for position in stride(from: start + width - 1, through: start, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            if let separator { out.append(UInt8(ascii: separator)) }
        }
        put(year, width: 4, then: "-")
        put(month, width: 2, then: "-")
        put(day, width: 2, then: "T")
        put(secondOfDay / 3600, width: 2, then: ":")
        put(secondOfDay % 3600 / 60, width: 2, then: ":")
        put(secondOfDay % 60, width: 2, then: ".")
        put(micros, width: 6, then: "Z")
    }

    /// Parses exactly the form `description` writes; anything else is nil.
    public init?(parsing text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self(parsingUTF8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses the UTF-8 of exactly the form `description` writes; anything else is nil.
    init?(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 27, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
              bytes[26] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let c = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
                value = value * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), let micros = number(20..<26),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        guard Self.civil(fromDays: days) == (year, month, day) else { return nil }
        self.microsecondsSinceEpoch = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + micros
    }

    // Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar, no Foundation.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }
}
