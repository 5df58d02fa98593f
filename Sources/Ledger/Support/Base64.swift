/// Standard base64 (RFC 4648 §4, with padding), written into a byte buffer: the same text as Foundation's
/// `base64EncodedString()`, without the `Data` and `String` it builds on the way, once per sealed entry.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the base64 of `bytes` to `out`.
    public static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            // A group of up to three bytes is four characters: one more than its bytes, then `=` to fill.
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
    }
}
