/// PostgreSQL's binary COPY format (the "binary" file format of the COPY documentation): big-endian integers,
/// each tuple a 16-bit field count followed by each field's 32-bit length (-1 for NULL) and bytes.
enum BinaryCopy {
    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xff, 0x0d, 0x0a, 0x00]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The big-endian 32-bit integer `offset` bytes into `bytes`.
    static func int32<Bytes: Collection<UInt8>>(_ bytes: Bytes, at offset: Int) -> Int32 where Bytes.Index == Int {
        let start = bytes.startIndex + offset
        let value = UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3])
        return Int32(bitPattern: value)
    }

    /// The fields of one tuple, read in order (a 16-bit field count, then each field's 32-bit length, -1 for
    /// NULL, and bytes), without collecting them.
    struct Fields {
        private let tuple: ArraySlice<UInt8>
        private var offset: Int
        private var left: Int
        /// How many fields the tuple has.
        let count: Int

        init(of tuple: ArraySlice<UInt8>) throws {
            guard tuple.count >= 2 else { throw Malformed(description: "a COPY tuple is shorter than its field count") }
            self.tuple = tuple
            count = Int(UInt16(tuple[tuple.startIndex]) << 8 | UInt16(tuple[tuple.startIndex + 1]))
            left = count
            offset = tuple.startIndex + 2
        }

        /// The next field, as a range of the tuple's indices; nil for NULL.
        mutating func next() throws -> Range<Int>? {
            guard left > 0 else { throw Malformed(description: "a COPY tuple has fewer fields than read") }
            guard offset + 4 <= tuple.endIndex else { throw Malformed(description: "a COPY tuple ends inside a field length") }
            let length = Int(int32(tuple, at: offset - tuple.startIndex))
            offset += 4
            left -= 1
            if length == -1 { return nil }
            guard length >= 0 else { throw Malformed(description: "a COPY field has a negative length") }
            guard offset + length <= tuple.endIndex else { throw Malformed(description: "a COPY field runs past its tuple") }
            defer { offset += length }
            return offset..<(offset + length)
        }

        /// Throws unless every field was read and the tuple ends with the last.
        func end() throws {
            guard left == 0, offset == tuple.endIndex else { throw Malformed(description: "a COPY tuple has bytes after its last field") }
        }
    }
}
