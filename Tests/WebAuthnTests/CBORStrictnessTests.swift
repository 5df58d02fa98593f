import Testing
@testable import WebAuthn

/// Each rule that makes the decoder strict, shown failing with its own error.
@Suite("CBOR: strictness")
struct CBORStrictnessTests {
    typealias Fixture = CBORTestSupport

    @Test("integers in a longer form than needed are refused as non-minimal", arguments: [
        "1805", "1817", "1900ff", "1a0000ffff", "1b00000000ffffffff",  // unsigned
        "3817", "3900ff", "3a0000ffff", "3b00000000ffffffff",  // negative
    ])
    func nonMinimalIntegers(hex: String) {
        #expect(Fixture.error(decodingHex: hex) == .nonMinimalEncoding(offset: 0))
    }

    @Test("integers at the bottom of each width are accepted", arguments: [
        ("1818", CBORValue.unsigned(24)),
        ("190100", .unsigned(256)),
        ("1a00010000", .unsigned(65536)),
        ("1b0000000100000000", .unsigned(4_294_967_296)),
        ("3818", .negative(24)),
        ("3b0000000100000000", .negative(4_294_967_296)),
    ])
    func minimalIntegers(hex: String, expected: CBORValue) {
        #expect(Fixture.decode(hex: hex) == expected)
    }

    @Test("string lengths and element counts in a longer form than needed are refused as non-minimal", arguments: [
        "5801aa", "590001aa", "5a00000001aa", "5b0000000000000001aa",  // byte string of 1
        "780161", "79000161",  // text string of 1
        "980101", "99000101",  // array of 1
        "b8010102", "b900010102",  // map of 1
    ])
    func nonMinimalLengths(hex: String) {
        #expect(Fixture.error(decodingHex: hex) == .nonMinimalEncoding(offset: 0))
    }

    @Test("tag numbers in a longer form than needed are refused as non-minimal", arguments: [
        "d80100", "d9002060", "da0000ffff00", "db00000000ffffffff00",
    ])
    func nonMinimalTags(hex: String) {
        #expect(Fixture.error(decodingHex: hex) == .nonMinimalEncoding(offset: 0))
    }

    @Test("a non-minimal encoding inside a container is reported at its own offset")
    func nestedNonMinimal() {
        #expect(Fixture.error(decodingHex: "a2 01 02 03 1804") == .nonMinimalEncoding(offset: 4))
    }

    @Test("two-byte simple values below 32, such as an overlong false, are refused as non-minimal", arguments: [
        "f800", "f813", "f814", "f818", "f81f",
    ])
    func nonMinimalSimpleValues(hex: String) {
        #expect(Fixture.error(decodingHex: hex) == .nonMinimalEncoding(offset: 0))
    }

    @Test("simple values other than false, true, null and undefined are refused", arguments: [
        ("e0", UInt8(0)), ("f3", 19), ("f820", 32), ("f8ff", 255),
    ])
    func unsupportedSimpleValues(hex: String, value: UInt8) {
        #expect(Fixture.error(decodingHex: hex) == .unsupportedSimpleValue(value: value, offset: 0))
    }

    @Test("duplicate integer keys are refused at the second occurrence")
    func duplicateIntegerKeys() {
        #expect(Fixture.error(decodingHex: "a2 01 02 01 03") == .duplicateMapKey(offset: 3))
        #expect(Fixture.error(decodingHex: "a3 20 00 01 00 20 01") == .duplicateMapKey(offset: 5))
    }

    @Test("duplicate text keys are refused at the second occurrence")
    func duplicateTextKeys() {
        #expect(Fixture.error(decodingHex: "a2 6161 01 6161 02") == .duplicateMapKey(offset: 4))
        #expect(Fixture.error(decodingHex: "a3 63666d74 00 6761747453746d74 01 63666d74 02") == .duplicateMapKey(offset: 15))
    }

    @Test("duplicate keys are found inside nested maps and when the keys are themselves containers")
    func duplicateNestedKeys() {
        #expect(Fixture.error(decodingHex: "81 a2 01 02 01 03") == .duplicateMapKey(offset: 4))
        #expect(Fixture.error(decodingHex: "a2 8101 00 8101 01") == .duplicateMapKey(offset: 4))
    }

    @Test("keys equal as Swift values but distinct in CBOR are not duplicates")
    func distinctKeys() throws {
        // 1 and 1.0, text "a" and bytes h'61', 0.0 and -0.0, and "é" precomposed and decomposed.
        let value = try #require(Fixture.decode(hex: "a4 01 00 f93c00 01 6161 02 4161 03"))
        #expect(value.map?.count == 4)
        #expect(Fixture.decode(hex: "a2 f90000 00 f98000 01")?.map?.count == 2)
        #expect(Fixture.decode(hex: "a2 62c3a9 00 6365cc81 01")?.map?.count == 2)
    }

    @Test("map keys in non-sorted order are accepted")
    func unsortedKeys() {
        #expect(Fixture.decode(hex: "a2 03 00 01 00")?.map?.map(\.key) == [.unsigned(3), .unsigned(1)])
    }

    @Test("bytes after a complete item are refused as trailing")
    func trailingBytes() {
        #expect(Fixture.error(decodingHex: "01 02") == .trailingBytes(offset: 1))
        #expect(Fixture.error(decodingHex: "a1 01 02 00") == .trailingBytes(offset: 3))
        #expect(Fixture.error(decodingHex: "80 ff") == .trailingBytes(offset: 1))
    }

    /// Valid encodings of every kind, to be cut short.
    static let validEncodings = [
        "1b000000e8d4a51000", "3903e7", "4401020304", "64f0908591", "8301820203820405",
        "a26161016162820203", "c11a514b67b0", "fb3ff199999999999a", "fa47c35000", "f93c00",
        "a3 01 02 03 26 20 01", "d818456449455446", "826161a161626163",
    ]

    @Test("every proper prefix of a valid item is refused as truncated", arguments: validEncodings)
    func truncationAtEveryCutPoint(hex: String) {
        let bytes = Fixture.bytes(hex)
        for cut in 0..<bytes.count {
            let error = Fixture.error(decoding: Array(bytes[..<cut]))
            #expect(Fixture.isTruncation(error), "cut at \(cut) of \(hex) gave \(String(describing: error))")
        }
        #expect(Fixture.error(decoding: bytes) == nil)
    }

    @Test("truncation is reported at the item that was cut off")
    func truncationOffsets() {
        #expect(Fixture.error(decoding: []) == .truncated(offset: 0))
        #expect(Fixture.error(decodingHex: "19 03") == .truncated(offset: 0))
        #expect(Fixture.error(decodingHex: "82 01 44 0102") == .truncated(offset: 2))
        #expect(Fixture.error(decodingHex: "83 01 02") == .truncated(offset: 0))
        #expect(Fixture.error(decodingHex: "83 01 81 02") == .truncated(offset: 4))
    }

    @Test("reserved additional information 28 to 30 is refused for every major type", arguments: 0..<8)
    func reservedAdditionalInformation(majorType: Int) {
        for information in UInt8(28)...30 {
            let initial = UInt8(majorType) << 5 | information
            #expect(Fixture.error(decoding: [initial, 0, 0, 0, 0, 0, 0, 0, 0])
                == .reservedAdditionalInformation(value: information, offset: 0))
        }
        #expect(Fixture.error(decoding: [0x82, 0x00, UInt8(majorType) << 5 | 28])
            == .reservedAdditionalInformation(value: 28, offset: 2))
    }

    @Test("additional information 31 is refused as indefinite length, and a lone break as unexpected")
    func indefiniteAndBreak() {
        for initial: UInt8 in [0x1f, 0x3f, 0x5f, 0x7f, 0x9f, 0xbf, 0xdf] {
            #expect(Fixture.error(decoding: [initial, 0xff]) == .indefiniteLength(offset: 0))
        }
        #expect(Fixture.error(decodingHex: "ff") == .unexpectedBreak(offset: 0))
        #expect(Fixture.error(decodingHex: "82 01 ff") == .unexpectedBreak(offset: 2))
    }

    @Test("text that is not valid UTF-8 is refused", arguments: [
        "61ff",  // never valid
        "6180",  // stray continuation byte
        "61c3",  // sequence cut off
        "62c328",  // continuation byte missing
        "62c080",  // overlong NUL
        "63e08080",  // overlong three-byte form
        "63eda080",  // UTF-16 surrogate U+D800
        "64f4908080",  // above U+10FFFF
        "64f8888080",  // five-byte form
    ])
    func invalidUTF8(hex: String) {
        #expect(Fixture.error(decodingHex: hex) == .invalidUTF8(offset: 0))
    }

    @Test("invalid UTF-8 inside a container is reported at the text string's offset")
    func nestedInvalidUTF8() {
        #expect(Fixture.error(decodingHex: "a1 6161 62c328") == .invalidUTF8(offset: 3))
    }

    @Test("byte strings are not checked for UTF-8")
    func byteStringsMayHoldAnything() {
        #expect(Fixture.decode(hex: "42c328") == .bytes([0xc3, 0x28]))
    }
}
