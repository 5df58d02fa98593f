import ArgumentParser
import Ledger

/// The ends of a time window as `--from` and `--to` take them (reports and exports).
enum WindowTime {
    /// `YYYY-MM-DD` (its midnight, or the next one for the end of a window), or RFC 3339 in UTC with or without a
    /// fraction of a second.
    static func microseconds(_ text: String, endOfDay: Bool) throws -> Int64 {
        if text.count == 10, let day = LedgerTimestamp(parsing: text + "T00:00:00.000000Z") {
            return day.microsecondsSinceEpoch + (endOfDay ? 86_400_000_000 : 0)
        }
        if text.count == 20, text.hasSuffix("Z"), let whole = LedgerTimestamp(parsing: text.dropLast() + ".000000Z") {
            return whole.microsecondsSinceEpoch
        }
        if let exact = LedgerTimestamp(parsing: text) { return exact.microsecondsSinceEpoch }
        throw ValidationError("\(text) is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)")
    }
}
