/// Widening of CBOR's half-precision floats (IEEE 754 binary16), done by hand because `Float16` is unavailable on
/// some of the platforms this package builds for.
enum CBORFloat {
    /// The `Double` with the same value as the binary16 `bits`. Exact for every finite value and infinity; a NaN
    /// keeps its sign and payload (shifted to the top of the wider significand).
    static func double(fromHalf bits: UInt16) -> Double {
        let sign = UInt64(bits >> 15) << 63
        let exponent = UInt64(bits >> 10 & 0x1f)
        let significand = UInt64(bits & 0x3ff)
        switch exponent {
        case 0:
            // Zero and subnormals: significand × 2⁻²⁴, which a Double represents exactly. Negating keeps −0.0.
            let magnitude = Double(significand) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:
            return Double(bitPattern: sign | 0x7ff << 52 | significand << 42)
        default:
            // Rebias the exponent from 15 to 1023; the significand moves up by 52 − 10 bits.
            return Double(bitPattern: sign | (exponent + 1008) << 52 | significand << 42)
        }
    }
}
