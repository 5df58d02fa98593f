import Testing
@testable import WebAuthn

/// The depth, item-count, input-size and string-length limits, and declared lengths that outrun the input.
@Suite("CBOR: limits")
struct CBORLimitsTests {
    typealias Fixture = CBORTestSupport

    @Test("sixteen nested arrays decode with the default limits, seventeen are refused at the seventeenth")
    func defaultDepth() {
        #expect(Fixture.error(decoding: Fixture.nestedArrays(15)) == nil)
        #expect(Fixture.error(decoding: [UInt8](repeating: 0x81, count: 16) + [0x00]) == nil)
        #expect(Fixture.error(decoding: Fixture.nestedArrays(16)) == .depthLimitExceeded(limit: 16, offset: 16))
    }

    @Test("maps and tags count towards the depth limit like arrays")
    func mapsAndTagsNest() {
        let maps = [UInt8]([0xa1, 0x00]).repeated(17) + [0x00]
        #expect(Fixture.error(decoding: maps) == .depthLimitExceeded(limit: 16, offset: 32))
        let tags = [UInt8](repeating: 0xc1, count: 17) + [0x00]
        #expect(Fixture.error(decoding: tags) == .depthLimitExceeded(limit: 16, offset: 16))
    }

    @Test("a configured depth limit is honoured, and zero still allows scalars")
    func configuredDepth() {
        let two = CBORLimits(maximumDepth: 2)
        #expect(Fixture.error(decodingHex: "81 81 00", limits: two) == nil)
        #expect(Fixture.error(decodingHex: "81 81 81 00", limits: two) == .depthLimitExceeded(limit: 2, offset: 2))
        let zero = CBORLimits(maximumDepth: 0)
        #expect(Fixture.error(decodingHex: "01", limits: zero) == nil)
        #expect(Fixture.error(decodingHex: "80", limits: zero) == .depthLimitExceeded(limit: 0, offset: 0))
    }

    @Test("a hundred thousand nested arrays are refused at the depth limit rather than exhausting the stack")
    func hostileDepth() {
        let deep = [UInt8](repeating: 0x81, count: 100_000)
        let generous = CBORLimits(maximumDepth: .max, maximumInputSize: 1 << 20)
        #expect(Fixture.error(decoding: deep, limits: generous)
            == .depthLimitExceeded(limit: CBORLimits.supportedDepth, offset: CBORLimits.supportedDepth))
        #expect(Fixture.error(decoding: Array(deep.prefix(60_000))) == .depthLimitExceeded(limit: 16, offset: 16))
    }

    @Test("an array declaring more elements than the item limit allows is refused before its elements are read")
    func itemLimitOnDeclaredCount() {
        let justEnough = [0x99, 0x27, 0x0f] + [UInt8](repeating: 0, count: 9_999)  // 10 000 items
        #expect(Fixture.error(decoding: justEnough) == nil)
        let tooMany = [0x99, 0x27, 0x10] + [UInt8](repeating: 0, count: 10_000)  // 10 001 items
        #expect(Fixture.error(decoding: tooMany) == .itemLimitExceeded(limit: 10_000, offset: 0))
    }

    @Test("the item limit counts every array, map, key and value across the whole input")
    func itemLimitAcrossContainers() {
        let five = CBORLimits(maximumItems: 5)
        #expect(Fixture.error(decodingHex: "84 01 02 03 04", limits: five) == nil)
        #expect(Fixture.error(decodingHex: "85 01 02 03 04 05", limits: five) == .itemLimitExceeded(limit: 5, offset: 0))
        #expect(Fixture.error(decodingHex: "82 83 01 02 03 00", limits: five) == .itemLimitExceeded(limit: 5, offset: 5))
        let four = CBORLimits(maximumItems: 4)
        #expect(Fixture.error(decodingHex: "a2 01 02 03 04", limits: four) == .itemLimitExceeded(limit: 4, offset: 0))
    }

    @Test("input longer than the size limit is refused before decoding")
    func inputSizeLimit() {
        let largeString = CBORLimits(maximumStringLength: 1 << 20)
        let fits = [0x59, 0xff, 0xfd] + [UInt8](repeating: 0xaa, count: 65_533)
        #expect(fits.count == 65_536)
        #expect(Fixture.error(decoding: fits, limits: largeString) == nil)
        let tooLong = [0x59, 0xff, 0xfe] + [UInt8](repeating: 0xaa, count: 65_534)
        #expect(Fixture.error(decoding: tooLong, limits: largeString) == .inputTooLarge(size: 65_537, limit: 65_536))
    }

    @Test("strings longer than the string limit are refused, at the limit they decode")
    func stringLengthLimit() {
        let atLimit = [0x59, 0x40, 0x00] + [UInt8](repeating: 0x61, count: 16_384)
        #expect(Fixture.error(decoding: atLimit) == nil)
        let overLimit = [0x59, 0x40, 0x01] + [UInt8](repeating: 0x61, count: 16_385)
        #expect(Fixture.error(decoding: overLimit) == .stringTooLong(length: 16_385, limit: 16_384, offset: 0))
        let text = [0x79, 0x40, 0x01] + [UInt8](repeating: 0x61, count: 16_385)
        #expect(Fixture.error(decoding: text) == .stringTooLong(length: 16_385, limit: 16_384, offset: 0))
    }

    @Test("a five-byte input declaring a 4 GiB string fails on the declared length, not on allocation")
    func hugeDeclaredString() {
        #expect(Fixture.error(decodingHex: "5a ffffffff") == .stringTooLong(length: 0xffff_ffff, limit: 16_384, offset: 0))
        #expect(Fixture.error(decodingHex: "7b ffffffffffffffff") == .stringTooLong(length: .max, limit: 16_384, offset: 0))
        let unlimited = CBORLimits(maximumStringLength: .max)
        #expect(Fixture.error(decodingHex: "5a ffffffff", limits: unlimited) == .truncated(offset: 0))
        #expect(Fixture.error(decodingHex: "5b 7fffffffffffffff", limits: unlimited) == .truncated(offset: 0))
        #expect(Fixture.error(decodingHex: "82 00 7a 00010000 61", limits: unlimited) == .truncated(offset: 2))
    }

    @Test("arrays and maps declaring more elements than the input could hold fail before reserving storage")
    func hugeDeclaredCounts() {
        let unlimited = CBORLimits(maximumItems: .max)
        for hex in ["9a ffffffff", "9b ffffffffffffffff", "ba ffffffff", "bb ffffffffffffffff", "a3 01 02 03 04"] {
            #expect(Fixture.error(decodingHex: hex, limits: unlimited) == .truncated(offset: 0), "\(hex)")
        }
    }

    @Test("negative limits act as zero")
    func negativeLimits() {
        #expect(Fixture.error(decodingHex: "01", limits: CBORLimits(maximumItems: -1)) == .itemLimitExceeded(limit: 0, offset: 0))
        #expect(Fixture.error(decodingHex: "4161", limits: CBORLimits(maximumStringLength: .min))
            == .stringTooLong(length: 1, limit: 0, offset: 0))
        #expect(Fixture.error(decodingHex: "01", limits: CBORLimits(maximumInputSize: -5)) == .inputTooLarge(size: 1, limit: -5))
        #expect(Fixture.error(decodingHex: "81 00", limits: CBORLimits(maximumDepth: .min)) == .depthLimitExceeded(limit: 0, offset: 0))
    }
}

extension Array {
    /// The array's elements `count` times over.
    fileprivate func repeated(_ count: Int) -> [Element] {
        (0..<count).flatMap { _ in self }
    }
}
