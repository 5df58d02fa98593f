/// A strict RFC 8259 / I-JSON (RFC 7493) parser with limits, for reading ledger entries and bundles back.
///
/// It rejects what a lenient parser would let through and an attacker could exploit: duplicate member names,
/// lone surrogates, invalid UTF-8, trailing bytes, leading zeros, and documents deeper or larger than the limits.
public struct JSONParser {
    /// Why a document was rejected, with the byte offset where parsing stopped.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Limits on what will be parsed.
    public struct Limits: Sendable {
        public var maxBytes: Int
        public var maxDepth: Int
        public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
        }
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var index = 0

    /// Parses one JSON document that must fill `bytes` exactly.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(JSONParser.Error) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw Error(reason: "document larger than \(limits.maxBytes) bytes", offset: 0)
        }
        var parser = JSONParser(bytes: Array(bytes), limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.fail("trailing data after the document") }
        return value
    }

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private func fail(_ reason: String) -> Error { Error(reason: reason, offset: index) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { index += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONParser.Error) -> JSONValue {
        let expected = Array(literal.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("unexpected token")
        }
        index += expected.count
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONParser.Error) -> JSONValue {
        guard let c = current else { throw fail("unexpected end of document") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParser.Error) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nested deeper than \(limits.maxDepth)") }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try parseString()
            guard members[key] == nil else { throw fail("duplicate member name") }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParser.Error) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nested deeper than \(limits.maxDepth)") }
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(values) }
        while true {
            skipWhitespace()
            values.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(values)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONParser.Error) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail("expected a digit") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { throw fail("leading zero") }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw fail("expected a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw fail("expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range") }
        return value
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        var count = 0
        while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { index += 1; count += 1 }
        return count
    }

    private mutating func parseString() throws(JSONParser.Error) -> String {
        index += 1
        if let plain = try parsePlainString() { return plain }
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun(_ parser: JSONParser, into scalars: inout String.UnicodeScalarView) throws(JSONParser.Error) {
            guard runStart < parser.index else { return }
            guard let run = String(validating: parser.bytes[runStart..<parser.index], as: UTF8.self) else {
                throw parser.fail("invalid UTF-8")
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard let c = current else { throw fail("unterminated string") }
            switch c {
            case UInt8(ascii: "\""):
                try flushRun(self, into: &scalars)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flushRun(self, into: &scalars)
                index += 1
                scalars.append(try parseEscape())
                runStart = index
            case 0x00..<0x20:
                throw fail("unescaped control character in string")
            default:
                index += 1
            }
        }
    }

    /// The string when it has no escape (nearly every string in a ledger entry): its bytes between the quotes, read
    /// as UTF-8 in one step. Nil, with the position unchanged, when an escape comes first.
    private mutating func parsePlainString() throws(JSONParser.Error) -> String? {
        let start = index
        var end = start
        while end < bytes.count {
            let c = bytes[end]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { return nil }
            if c < 0x20 {
                index = end
                throw fail("unescaped control character in string")
            }
            end += 1
        }
        guard end < bytes.count else {
            index = end
            throw fail("unterminated string")
        }
        let text = bytes.withUnsafeBufferPointer { buffer in
            String(validating: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
        guard let text else { throw fail("invalid UTF-8") }
        index = end + 1
        return text
    }

    private mutating func parseEscape() throws(JSONParser.Error) -> Unicode.Scalar {
        guard let c = current else { throw fail("unterminated escape") }
        index += 1
        switch c {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("lone high surrogate")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("high surrogate not followed by a low surrogate") }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            if (0xDC00...0xDFFF).contains(unit) { throw fail("lone low surrogate") }
            return Unicode.Scalar(unit)!
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func parseHex4() throws(JSONParser.Error) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
