import Testing
@testable import WebAuthn

/// Helpers shared by the CBOR tests.
enum CBORTestSupport {
    /// The bytes spelled by `hex` (pairs of hex digits, spaces ignored). Malformed fixture text is recorded as a
    /// test issue rather than trapping.
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        guard digits.count.isMultiple(of: 2) else {
            Issue.record("odd number of hex digits in \(hex)")
            return []
        }
        var out = [UInt8]()
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                Issue.record("bad hex in \(hex)")
                return []
            }
            out.append(byte)
        }
        return out
    }

    /// The error decoding `bytes` throws, or nil if it decodes.
    static func error(decoding bytes: [UInt8], limits: CBORLimits = .default) -> CBORError? {
        do {
            _ = try CBORDecoder(limits: limits).decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// The error decoding the hex `hex` throws, or nil if it decodes.
    static func error(decodingHex hex: String, limits: CBORLimits = .default) -> CBORError? {
        error(decoding: bytes(hex), limits: limits)
    }

    /// The value `hex` decodes to, or nil (with the error recorded) if it does not decode.
    static func decode(hex: String, limits: CBORLimits = .default) -> CBORValue? {
        do {
            return try CBORDecoder(limits: limits).decode(bytes(hex))
        } catch {
            Issue.record("\(hex) failed to decode: \(error)")
            return nil
        }
    }

    /// Whether `error` is a truncation, wherever it was found.
    static func isTruncation(_ error: CBORError?) -> Bool {
        if case .truncated = error { true } else { false }
    }

    /// `count` nested one-element arrays around an empty array: `count + 1` arrays in all.
    static func nestedArrays(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0x81, count: count) + [0x80]
    }
}

/// SplitMix64: a tiny seeded generator, so the robustness tests see the same inputs on every run.
struct CBORSeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
