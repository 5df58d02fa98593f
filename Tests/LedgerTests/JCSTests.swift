import Foundation
import Testing
@testable import Ledger

@Suite("RFC 8785 canonical JSON")
struct JCSTests {
    @Test("the published JCS test data canonicalises byte for byte",
          arguments: ["french", "simpleString", "structures", "unicode", "values", "weird"])
    func publishedTestData(name: String) throws {
        let input = try Fixtures.data("jcs/input/\(name).json")
        let expected = [UInt8](try Fixtures.data("jcs/output/\(name).json"))
        let value = try JSONParser.parse([UInt8](input))
        #expect(try JCS.canonicalize(value) == expected)
    }

    @Test("the outhex fixture matches the canonical bytes")
    func outhex() throws {
        let hex = try Fixtures.text("jcs/outhex/simpleString.txt").split(whereSeparator: \.isWhitespace).joined()
        let value = try JSONParser.parse([UInt8](try Fixtures.data("jcs/input/simpleString.json")))
        #expect(Hex.encode(try JCS.canonicalize(value)) == hex.lowercased())
    }

    @Test("every RFC 8785 Appendix B number serialises as published")
    func numberSamples() throws {
        let lines = try Fixtures.text("jcs/numbers.tsv").split(separator: "\n")
        #expect(lines.count >= 20)
        for line in lines {
            let parts = line.split(separator: "\t")
            let bits = UInt64(parts[0], radix: 16)!
            let value = Double(bitPattern: bits)
            #expect(try ECMAScriptNumber.format(value) == String(parts[1]), "bits \(parts[0])")
        }
    }

    @Test("NaN and Infinity have no canonical form")
    func nonFiniteRejected() throws {
        for line in try Fixtures.text("jcs/numbers-invalid.txt").split(separator: "\n") {
            let value = Double(bitPattern: UInt64(line.trimmingCharacters(in: .whitespaces), radix: 16)!)
            #expect(throws: JCS.Error.nonFiniteNumber) { try JCS.canonicalize(.number(value)) }
        }
        #expect(throws: JCS.Error.nonFiniteNumber) { try JCS.canonicalize(.number(-.infinity)) }
    }

    @Test("members sort by UTF-16 code units, so non-BMP names sort by their surrogates")
    func utf16KeyOrder() throws {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16 although it is after it in code points.
        let value: JSONValue = ["\u{FB33}": 1, "\u{1F600}": 2, "a": 3, "\u{80}": 4]
        let text = String(decoding: try JCS.canonicalize(value), as: UTF8.self)
        #expect(text == "{\"a\":3,\"\u{80}\":4,\"\u{1F600}\":2,\"\u{FB33}\":1}")
    }

    @Test("strings use minimal escaping")
    func minimalEscaping() throws {
        let value: JSONValue = .string("\"\\\u{08}\u{0C}\n\r\t\u{01}\u{1F}/é\u{7F}")
        #expect(String(decoding: try JCS.canonicalize(value), as: UTF8.self) == #""\"\\\b\f\n\r\t\u0001\u001f/é\#u{7F}""#)
    }
}

@Suite("Strict JSON parsing")
struct JSONParserTests {
    @Test("rejects what a lenient parser would accept", arguments: [
        #"{"a":1,"a":2}"#,             // duplicate member
        #""\ud800""#,                  // lone high surrogate
        #""\udc00""#,                  // lone low surrogate
        #""\ud800\u0041""#,            // high surrogate followed by a non-surrogate
        "{\"a\":1} x",                 // trailing data
        "01",                          // leading zero
        "1.",                          // missing fraction digits
        "[1,]",                        // trailing comma
        "\"tab\there\"",               // raw control character
        "NaN",
        "1e400",                       // out of range
        "",
    ])
    func rejects(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("rejects invalid UTF-8")
    func invalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("enforces the depth and size limits")
    func limits() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(deep.utf8)) }
        let shallow = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(throws: Never.self) { try JSONParser.parse(Array(shallow.utf8)) }
        #expect(throws: JSONParser.Error.self) {
            try JSONParser.parse(Array("[1,2,3]".utf8), limits: .init(maxBytes: 4, maxDepth: 8))
        }
    }

    @Test("decodes escapes and surrogate pairs")
    func escapes() throws {
        let value = try JSONParser.parse(Array(#"{"s":"\ud83d\ude02 \u00e9\/"}"#.utf8))
        #expect(value["s"] == .string("😂 é/"))
    }
}
