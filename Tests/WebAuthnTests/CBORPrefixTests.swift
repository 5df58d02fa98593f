import Testing
@testable import WebAuthn

/// `decodePrefix`, which authenticator data needs because the credential public key is followed by more bytes.
@Suite("CBOR: decoding a prefix")
struct CBORPrefixTests {
    typealias Fixture = CBORTestSupport

    @Test("decodePrefix returns the item and the bytes it consumed, leaving the rest")
    func consumedCount() throws {
        let bytes = Fixture.bytes("a1 01 02 de ad")
        let (value, consumed) = try CBORDecoder().decodePrefix(bytes)
        #expect(value == .map([.init(key: .unsigned(1), value: .unsigned(2))]))
        #expect(consumed == 3)
        #expect(Array(bytes[consumed...]) == [0xde, 0xad])
    }

    @Test("decodePrefix of exactly one item consumes all of it")
    func wholeInput() throws {
        let bytes = Fixture.bytes("8301820203820405")
        #expect(try CBORDecoder().decodePrefix(bytes).consumed == bytes.count)
    }

    @Test("a credential public key followed by an extensions map decodes as two prefixes of a slice")
    func keyThenExtensions() throws {
        let flagsAndCounter = Fixture.bytes("c5 00000001")
        let coseKey = Fixture.bytes("a4 01 01 03 27 20 06 21 5820") + [UInt8](repeating: 0x11, count: 32)
        let extensions = Fixture.bytes("a1 6b6372656450726f74656374 02")  // {"credProtect": 2}
        let authData = flagsAndCounter + coseKey + extensions
        let afterHeader = authData[flagsAndCounter.count...]
        let decoder = CBORDecoder()
        let (key, consumed) = try decoder.decodePrefix(afterHeader)
        #expect(consumed == coseKey.count)
        #expect(key[3]?.int == -8)
        #expect(key[-2]?.bytes?.count == 32)
        let rest = afterHeader.dropFirst(consumed)
        #expect(try decoder.decode(rest)["credProtect"]?.int == 2)
    }

    @Test("offsets in errors from a slice count from the slice's first byte")
    func sliceOffsets() {
        let bytes: [UInt8] = [0xff, 0xff, 0x83, 0x01, 0x18, 0x02]
        #expect(throws: CBORError.nonMinimalEncoding(offset: 2)) { try CBORDecoder().decodePrefix(bytes[2...]) }
        #expect(throws: CBORError.trailingBytes(offset: 1)) { try CBORDecoder().decode(bytes[3..<5]) }
    }

    @Test("decodePrefix still refuses a truncated item")
    func prefixTruncation() {
        #expect(throws: CBORError.truncated(offset: 0)) { try CBORDecoder().decodePrefix(Fixture.bytes("83 01 02")[...]) }
        #expect(throws: CBORError.truncated(offset: 0)) { try CBORDecoder().decodePrefix([UInt8]()) }
    }
}
