import Testing
@testable import WebAuthn

/// The examples of RFC 8949 Appendix A, typed in from the RFC, that fall within what the decoder accepts, and the
/// indefinite-length ones it refuses.
@Suite("CBOR: RFC 8949 Appendix A examples")
struct CBORAppendixATests {
    typealias Fixture = CBORTestSupport

    static let integerExamples: [(String, CBORValue)] = [
        ("00", .unsigned(0)),
        ("01", .unsigned(1)),
        ("0a", .unsigned(10)),
        ("17", .unsigned(23)),
        ("1818", .unsigned(24)),
        ("1819", .unsigned(25)),
        ("1864", .unsigned(100)),
        ("1903e8", .unsigned(1000)),
        ("1a000f4240", .unsigned(1_000_000)),
        ("1b000000e8d4a51000", .unsigned(1_000_000_000_000)),
        ("1bffffffffffffffff", .unsigned(18_446_744_073_709_551_615)),
        // 18446744073709551616 and -18446744073709551617, as bignum tags 2 and 3 around byte strings.
        ("c249010000000000000000", .tagged(2, .bytes([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("3bffffffffffffffff", .negative(18_446_744_073_709_551_615)),  // -18446744073709551616
        ("c349010000000000000000", .tagged(3, .bytes([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("20", CBORValue(-1)),
        ("29", CBORValue(-10)),
        ("3863", CBORValue(-100)),
        ("3903e7", CBORValue(-1000)),
    ]

    @Test("integers, including 2⁶⁴ − 1, −2⁶⁴ and bignums, decode to the RFC's values", arguments: integerExamples)
    func integers(hex: String, expected: CBORValue) {
        #expect(Fixture.decode(hex: hex) == expected)
    }

    static let floatExamples: [(String, Double)] = [
        ("f90000", 0.0),
        ("f98000", -0.0),
        ("f93c00", 1.0),
        ("fb3ff199999999999a", 1.1),
        ("f93e00", 1.5),
        ("f97bff", 65504.0),
        ("fa47c35000", 100_000.0),
        ("fa7f7fffff", 3.4028234663852886e+38),
        ("fb7e37e43c8800759c", 1.0e+300),
        ("f90001", 5.960464477539063e-8),
        ("f90400", 0.00006103515625),
        ("f9c400", -4.0),
        ("fbc010666666666666", -4.1),
        ("f97c00", .infinity),
        ("f97e00", .nan),
        ("f9fc00", -.infinity),
        ("fa7f800000", .infinity),
        ("fa7fc00000", .nan),
        ("faff800000", -.infinity),
        ("fb7ff0000000000000", .infinity),
        ("fb7ff8000000000000", .nan),
        ("fbfff0000000000000", -.infinity),
    ]

    @Test("half, single and double floats decode to the RFC's values, signed zeros and NaN included", arguments: floatExamples)
    func floats(hex: String, expected: Double) throws {
        let decoded = try #require(Fixture.decode(hex: hex)?.double)
        if expected.isNaN {
            #expect(decoded.isNaN)
        } else {
            #expect(decoded == expected)
            #expect(decoded.sign == expected.sign)
        }
    }

    static let simpleValueAndTagExamples: [(String, CBORValue)] = [
        ("f4", .bool(false)),
        ("f5", .bool(true)),
        ("f6", .null),
        ("f7", .undefined),
        ("c074323031332d30332d32315432303a30343a30305a", .tagged(0, .text("2013-03-21T20:04:00Z"))),
        ("c11a514b67b0", .tagged(1, .unsigned(1_363_896_240))),
        ("c1fb41d452d9ec200000", .tagged(1, .float(1_363_896_240.5))),
        ("d74401020304", .tagged(23, .bytes([1, 2, 3, 4]))),
        ("d818456449455446", .tagged(24, .bytes([0x64, 0x49, 0x45, 0x54, 0x46]))),
        ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", .tagged(32, .text("http://www.example.com"))),
    ]

    @Test("false, true, null, undefined and tagged items decode to the RFC's values", arguments: simpleValueAndTagExamples)
    func simpleValuesAndTags(hex: String, expected: CBORValue) {
        #expect(Fixture.decode(hex: hex) == expected)
    }

    static let stringExamples: [(String, CBORValue)] = [
        ("40", .bytes([])),
        ("4401020304", .bytes([1, 2, 3, 4])),
        ("60", .text("")),
        ("6161", .text("a")),
        ("6449455446", .text("IETF")),
        ("62225c", .text("\"\\")),
        ("62c3bc", .text("\u{00fc}")),
        ("63e6b0b4", .text("\u{6c34}")),
        ("64f0908591", .text("\u{10151}")),  // the RFC's "\ud800\udd51", a surrogate pair in JSON notation
    ]

    @Test("byte strings and text strings, non-ASCII text included, decode to the RFC's values", arguments: stringExamples)
    func strings(hex: String, expected: CBORValue) {
        #expect(Fixture.decode(hex: hex) == expected)
    }

    static let containerExamples: [(String, CBORValue)] = {
        let one: CBORValue = .unsigned(1), two: CBORValue = .unsigned(2), three: CBORValue = .unsigned(3)
        let pairs: [(String, String)] = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("e", "E")]
        return [
            ("80", .array([])),
            ("83010203", .array([one, two, three])),
            ("8301820203820405", .array([one, .array([two, three]), .array([.unsigned(4), .unsigned(5)])])),
            (
                "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
                .array((1...25).map { CBORValue.unsigned($0) })
            ),
            ("a0", .map([])),
            ("a201020304", .map([.init(key: one, value: two), .init(key: three, value: .unsigned(4))])),
            (
                "a26161016162820203",
                .map([.init(key: .text("a"), value: one), .init(key: .text("b"), value: .array([two, three]))])
            ),
            ("826161a161626163", .array([.text("a"), .map([.init(key: .text("b"), value: .text("c"))])])),
            (
                "a56161614161626142616361436164614461656145",
                .map(pairs.map { .init(key: .text($0.0), value: .text($0.1)) })
            ),
        ]
    }()

    @Test("arrays, maps and nested combinations decode to the RFC's values, map pairs in wire order", arguments: containerExamples)
    func containers(hex: String, expected: CBORValue) {
        #expect(Fixture.decode(hex: hex) == expected)
    }

    @Test("the RFC's unassigned simple values 16 and 255 are refused as unsupported")
    func unassignedSimpleValues() {
        #expect(Fixture.error(decodingHex: "f0") == .unsupportedSimpleValue(value: 16, offset: 0))
        #expect(Fixture.error(decodingHex: "f8ff") == .unsupportedSimpleValue(value: 255, offset: 0))
    }

    /// The indefinite-length examples, each with the offset of its first indefinite-length head.
    static let indefiniteLengthExamples: [(String, Int)] = [
        ("5f42010243030405ff", 0),
        ("7f657374726561646d696e67ff", 0),
        ("9fff", 0),
        ("9f018202039f0405ffff", 0),
        ("9f01820203820405ff", 0),
        ("83018202039f0405ff", 5),
        ("83019f0203ff820405", 2),
        ("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", 0),
        ("bf61610161629f0203ffff", 0),
        ("826161bf61626163ff", 3),
        ("bf6346756ef563416d7421ff", 0),
    ]

    @Test("the RFC's indefinite-length examples are refused at their first indefinite-length head", arguments: indefiniteLengthExamples)
    func indefiniteLengthIsRefused(hex: String, offset: Int) {
        #expect(Fixture.error(decodingHex: hex) == .indefiniteLength(offset: offset))
    }
}
