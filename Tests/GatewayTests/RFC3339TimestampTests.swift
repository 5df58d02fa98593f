import Foundation
import Testing
@testable import Gateway

@Suite("RFC 3339 timestamps: microseconds out, any RFC 3339 form in")
struct RFC3339TimestampTests {
    @Test("writes UTC with six fraction digits, keeping the database's microseconds")
    func formats() {
        #expect(RFC3339Timestamps.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339Timestamps.format(Date(timeIntervalSince1970: 1_795_338_723.125_001)) == "2026-11-22T09:12:03.125001Z")
        #expect(RFC3339Timestamps.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
    }

    @Test("writes what the Gregorian calendar says for any microsecond from 1900 to 2100")
    func formatsAsTheCalendarDoes() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let micros = Int64.random(in: -2_208_988_800_000_000..<4_102_444_800_000_000, using: &generator)
            let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
            let (whole, part) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(whole)))
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!,
                parts.second!, Int(part))
            #expect(RFC3339Timestamps.format(Date(timeIntervalSince1970: Double(micros) / 1_000_000)) == expected)
        }
    }

    @Test("reads with or without a fraction, with Z or an offset, and round-trips what it writes")
    func parses() throws {
        let whole = try #require(RFC3339Timestamps.parse("2026-11-22T09:12:03Z"))
        #expect(whole.timeIntervalSince1970 == 1_795_338_723)
        #expect(RFC3339Timestamps.parse("2026-11-22T09:12:03.5Z")?.timeIntervalSince1970 == 1_795_338_723.5)
        #expect(RFC3339Timestamps.parse("2026-11-22T10:12:03+01:00") == whole)
        #expect(RFC3339Timestamps.parse("2026-11-22T04:42:03-04:30") == whole)
        #expect(RFC3339Timestamps.parse("2026-11-22t09:12:03z") == whole)
        let precise = Date(timeIntervalSince1970: 1_795_338_723.654_321)
        let again = try #require(RFC3339Timestamps.parse(RFC3339Timestamps.format(precise)))
        #expect(abs(again.timeIntervalSince1970 - precise.timeIntervalSince1970) < 0.000_000_5)
    }

    @Test("refuses what is not RFC 3339", arguments: [
        "", "2026-11-22", "2026-11-22 09:12:03Z", "2026-11-22T09:12:03", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T09:12:03.Z", "2026-11-22T09:12:03.1234567890Z", "2026-11-22T09:12:03+0100", "2026-11-22T09:12:03Zjunk",
        "２０２６-11-22T09:12:03Z",
    ])
    func refuses(_ text: String) {
        #expect(RFC3339Timestamps.parse(text) == nil)
    }
}
