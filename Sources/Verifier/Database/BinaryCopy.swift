/// PostgreSQL's binary COPY format (the "binary" file format of the COPY documentation): big-endian integers,
/// each tuple a 16-bit field count followed by each field's 32-bit length (-1 for NULL) and bytes.
enum BinaryCopy {
    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xff, 0x0d, 0x0a, 0x00]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func int32(_ bytes: some Collection<UInt8>, at offset: Int) -> Int32 {
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        var value: UInt32 = 0
        for byte in bytes[start...].prefix(4) { value = value << 8 | UInt32(byte) }
        return Int32(bitPattern: value)
    }

    /// The fields of one tuple, as ranges of `tuple`'s indices (nil for NULL).
    static func fields(of tuple: ArraySlice<UInt8>) throws -> [Range<Int>?] {
        try tuple.withUnsafeBufferPointer { bytes in
            func uint32(at offset: Int) -> UInt32 {
                UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
            }
            guard bytes.count >= 2 else { throw Malformed(description: "a COPY tuple is shorter than its field count") }
            let count = Int(UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            var fields: [Range<Int>?] = []
            fields.reserveCapacity(count)
            var offset = 2
            for _ in 0..<count {
                guard offset + 4 <= bytes.count else { throw Malformed(description: "a COPY tuple ends inside a field length") }
                let length = Int(Int32(bitPattern: uint32(at: offset)))
                offset += 4
                if length == -1 { fields.append(nil); continue }
                guard length >= 0 else { throw Malformed(description: "a COPY field has a negative length") }
                guard offset + length <= bytes.count else { throw Malformed(description: "a COPY field runs past its tuple") }
                fields.append((tuple.startIndex + offset)..<(tuple.startIndex + offset + length))
                offset += length
            }
            guard offset == bytes.count else { throw Malformed(description: "a COPY tuple has bytes after its last field") }
            return fields
        }
    }
}
