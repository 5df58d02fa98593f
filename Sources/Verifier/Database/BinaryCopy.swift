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

    /// The fields of one tuple, as ranges into `tuple` (nil for NULL).
    static func fields(of tuple: [UInt8]) throws -> [Range<Int>?] {
        guard tuple.count >= 2 else { throw Malformed(description: "a COPY tuple is shorter than its field count") }
        let count = Int(UInt16(tuple[0]) << 8 | UInt16(tuple[1]))
        var fields: [Range<Int>?] = []
        fields.reserveCapacity(count)
        var offset = 2
        for _ in 0..<count {
            guard offset + 4 <= tuple.count else { throw Malformed(description: "a COPY tuple ends inside a field length") }
            let length = Int(int32(tuple, at: offset))
            offset += 4
            if length < 0 { fields.append(nil); continue }
            guard offset + length <= tuple.count else { throw Malformed(description: "a COPY field runs past its tuple") }
            fields.append(offset..<(offset + length))
            offset += length
        }
        guard offset == tuple.count else { throw Malformed(description: "a COPY tuple has bytes after its last field") }
        return fields
    }
}
