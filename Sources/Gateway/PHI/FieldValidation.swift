import Foundation

/// Checks of request fields that the OpenAPI types do not enforce (lengths, formats, ranges). Each failure names
/// the field, and is raised before anything is written.
enum FieldValidation {
    /// Trimmed text of 1...`maximum` characters without control characters (line breaks allowed when `multiline`).
    static func text(_ value: String, field: String, maximum: Int, minimum: Int = 1, multiline: Bool = false) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= minimum else {
            throw APIError.invalidField(field, minimum == 1 ? "Give a value." : "Give at least \(minimum) characters.")
        }
        guard trimmed.count <= maximum else { throw APIError.invalidField(field, "Give at most \(maximum) characters.") }
        let allowed: (Unicode.Scalar) -> Bool = { scalar in
            !(scalar.properties.generalCategory == .control) || (multiline && (scalar == "\n" || scalar == "\t" || scalar == "\r"))
        }
        guard trimmed.unicodeScalars.allSatisfy(allowed) else {
            throw APIError.invalidField(field, "Control characters are not allowed.")
        }
        return trimmed
    }

    /// A calendar date `YYYY-MM-DD` from 1900-01-01 up to `latest`.
    static func birthDate(_ value: String, field: String, latest: Date) throws -> String {
        guard let date = calendarDate(value) else { throw APIError.invalidField(field, "Give a date as YYYY-MM-DD.") }
        guard date >= earliestBirthDate, date <= latest else {
            throw APIError.invalidField(field, "Give a date from 1900-01-01 up to today.")
        }
        return value
    }

    private static let earliestBirthDate = calendarDate("1900-01-01")!

    /// Parses `YYYY-MM-DD` strictly (a real day of the Gregorian calendar), as midnight UTC.
    static func calendarDate(_ value: String) -> Date? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// An id in the request's path: one that is not a UUID names nothing there, so 404.
    static func pathID(_ value: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else { throw APIError.notFound }
        return id
    }

    static func uuid(_ value: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else { throw APIError.invalidField(field, "Give an id (a UUID).") }
        return id
    }

    /// A record version as a client read it: 1 up to PostgreSQL's integer range.
    static func version(_ value: Int?, field: String) throws -> Int? {
        guard let value else { return nil }
        guard (1...Int(Int32.max)).contains(value) else { throw APIError.invalidField(field, "Give a version as read, 1 or more.") }
        return value
    }

    static func limit(_ value: Int?, maximum: Int = 200, default defaultValue: Int = 50) throws -> Int {
        let limit = value ?? defaultValue
        guard (1...maximum).contains(limit) else { throw APIError.invalidField("limit", "Give a limit from 1 to \(maximum).") }
        return limit
    }
}
