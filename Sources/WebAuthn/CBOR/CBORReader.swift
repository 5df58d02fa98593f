/// A cursor over the input that never reads past its end: every read first compares against the bytes remaining
/// and reports truncation instead of trapping.
struct CBORReader {
    private let input: ArraySlice<UInt8>
    private var position: Int

    init(_ input: ArraySlice<UInt8>) {
        self.input = input
        position = input.startIndex
    }

    /// The number of bytes consumed, which is also the offset of the next byte.
    var offset: Int { position - input.startIndex }

    /// The number of bytes not yet consumed.
    var remaining: Int { input.endIndex - position }

    /// Reads one byte of the item that starts at `item` (the offset reported if the input has run out).
    mutating func readByte(item: Int) throws(CBORError) -> UInt8 {
        guard position < input.endIndex else { throw .truncated(offset: item) }
        defer { position += 1 }
        return input[position]
    }

    /// Reads a big-endian unsigned integer of `byteCount` (at most 8) bytes.
    mutating func readBigEndian(byteCount: Int, item: Int) throws(CBORError) -> UInt64 {
        guard byteCount <= remaining else { throw .truncated(offset: item) }
        var value: UInt64 = 0
        for index in position..<position + byteCount {
            value = value << 8 | UInt64(input[index])
        }
        position += byteCount
        return value
    }

    /// Takes the next `count` bytes without copying them; `count` comes from the input, so it is checked here
    /// against what remains rather than trusted.
    mutating func readBytes(count: UInt64, item: Int) throws(CBORError) -> ArraySlice<UInt8> {
        guard count <= UInt64(remaining) else { throw .truncated(offset: item) }
        let end = position + Int(count)
        defer { position = end }
        return input[position..<end]
    }
}
