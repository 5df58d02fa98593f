import Testing
@testable import WebAuthn

/// Deterministic random inputs and mutations of valid encodings: decoding must return or throw, never crash, and
/// what it returns must be consistent.
@Suite("CBOR: robustness")
struct CBORRobustnessTests {
    typealias Fixture = CBORTestSupport

    /// Bytes that steer random input towards the interesting paths: long arguments, reserved and indefinite
    /// additional information, breaks, containers, tags, strings and floats.
    static let interestingBytes: [UInt8] = [
        0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x38, 0x3b, 0x40, 0x41, 0x58, 0x5a, 0x5b, 0x5f,
        0x60, 0x61, 0x62, 0x63, 0x78, 0x7b, 0x7f, 0x80, 0x81, 0x82, 0x98, 0x9b, 0x9f, 0xa0, 0xa1, 0xa2, 0xb8,
        0xbb, 0xbf, 0xc1, 0xd8, 0xdb, 0xf4, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff, 0xc3, 0xed, 0xf0,
    ]

    static let limitSets: [CBORLimits] = [
        .default,
        CBORLimits(maximumDepth: 3, maximumItems: 12, maximumInputSize: 40, maximumStringLength: 6),
    ]

    /// Decodes `bytes` every way there is and checks that the answers agree with each other.
    static func checkConsistency(_ bytes: [UInt8], limits: CBORLimits) {
        let decoder = CBORDecoder(limits: limits)
        let whole = Result { () throws(CBORError) in try decoder.decode(bytes) }
        let prefix = Result { () throws(CBORError) in try decoder.decodePrefix(bytes) }
        switch (whole, prefix) {
        case let (.success(value), .success(parsed)):
            #expect(parsed.consumed == bytes.count)
            #expect(parsed.value == value)
        case let (.failure(.trailingBytes(offset)), .success(parsed)):
            #expect(offset == parsed.consumed)
            #expect((1..<bytes.count).contains(parsed.consumed))
            #expect((try? decoder.decode(Array(bytes[..<parsed.consumed]))) == parsed.value)
        case let (.failure(wholeError), .failure(prefixError)):
            #expect(wholeError == prefixError)
        default:
            Issue.record("decode and decodePrefix disagree on \(bytes): \(whole) versus \(prefix)")
        }
    }

    @Test("thousands of seeded random byte strings decode or throw without crashing", arguments: limitSets)
    func randomBytes(limits: CBORLimits) {
        var generator = CBORSeededGenerator(seed: 0x5EED_CB08)
        for _ in 0..<4_000 {
            let length = Int.random(in: 0...48, using: &generator)
            let bytes = (0..<length).map { _ -> UInt8 in
                Bool.random(using: &generator)
                    ? Self.interestingBytes.randomElement(using: &generator) ?? 0
                    : UInt8.random(in: 0...255, using: &generator)
            }
            Self.checkConsistency(bytes, limits: limits)
        }
    }

    /// Valid encodings to mutate: Appendix A items, a COSE key and an attestation object.
    static let seeds: [[UInt8]] = [
        "8301820203820405", "a26161016162820203", "826161a161626163", "c249010000000000000000",
        "a56161614161626142616361436164614461656145", "fb3ff199999999999a", "64f0908591",
        "d82076687474703a2f2f7777772e6578616d706c652e636f6d",
        "a5 01 02 03 26 20 01 21 5820 \(String(repeating: "aa", count: 32)) 22 5820 \(String(repeating: "bb", count: 32))",
        "a3 63666d74 646e6f6e65 6761747453746d74 a0 686175746844617461 5825 \(String(repeating: "42", count: 37))",
    ].map(CBORTestSupport.bytes)

    @Test("thousands of seeded mutations of valid encodings decode or throw without crashing", arguments: limitSets)
    func mutatedEncodings(limits: CBORLimits) {
        var generator = CBORSeededGenerator(seed: 0xC0FFEE)
        for seed in Self.seeds {
            for _ in 0..<400 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    Self.mutate(&bytes, using: &generator)
                }
                Self.checkConsistency(bytes, limits: limits)
            }
        }
    }

    /// Applies one random edit: flip a bit, overwrite, insert, delete, duplicate a run, or cut the end off.
    static func mutate(_ bytes: inout [UInt8], using generator: inout CBORSeededGenerator) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &generator))
            return
        }
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
        case 1: bytes[index] = interestingBytes.randomElement(using: &generator) ?? 0
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
        case 3: bytes.remove(at: index)
        case 4: bytes.insert(contentsOf: bytes[index..<min(index + 8, bytes.count)], at: index)
        default: bytes.removeSubrange(index...)
        }
    }

    @Test("long runs of container and tag heads are refused without exhausting the stack or memory", arguments: [
        [UInt8](repeating: 0x81, count: 65_536), [UInt8](repeating: 0xc1, count: 65_536),
        (0..<30_000).flatMap { _ in [UInt8]([0xa1, 0x00]) },
        [UInt8](repeating: 0x9b, count: 65_536), [UInt8](repeating: 0xff, count: 65_536),
    ])
    func hostileRuns(bytes: [UInt8]) {
        #expect(Fixture.error(decoding: bytes) != nil)
    }
}
