/// The initial byte of a data item and the argument that follows it (RFC 8949 §3).
struct CBORHead {
    /// The major type, 0 through 7.
    let majorType: UInt8
    /// The low five bits of the initial byte.
    let additionalInformation: UInt8
    /// The argument: an integer's value, a string's length, an element count or a tag number. For major type 7
    /// it is the raw following bytes (a float's bits or a one-byte simple value), unchecked for minimality.
    let argument: UInt64
    /// Where the item starts.
    let offset: Int
}

extension CBORReader {
    /// Reads an item's initial byte and argument, rejecting the encodings the data model does not need: arguments
    /// longer than necessary, reserved additional information, and indefinite lengths.
    mutating func readHead() throws(CBORError) -> CBORHead {
        let offset = self.offset
        let initial = try readByte(item: offset)
        let majorType = initial >> 5
        let additionalInformation = initial & 0x1f
        let argument: UInt64
        switch additionalInformation {
        case 0..<24:
            argument = UInt64(additionalInformation)
        case 24...27:
            let width = 1 << Int(additionalInformation - 24)
            argument = try readBigEndian(byteCount: width, item: offset)
            // Minimal means no shorter form could hold the value: 24 and up for one byte, otherwise more than half
            // the width. One encoding per value is what makes signed CBOR unambiguous. Major type 7 is exempt:
            // there these widths carry floats and simple values, which have rules of their own.
            let minimal = width == 1 ? argument >= 24 : argument >> (4 * width) != 0
            guard majorType == 7 || minimal else { throw .nonMinimalEncoding(offset: offset) }
        case 28...30:
            throw .reservedAdditionalInformation(value: additionalInformation, offset: offset)
        default:
            // 31: for major type 7 the break code, anywhere else an indefinite length (or, for integers and tags,
            // not well-formed at all); without indefinite-length items a break can never be expected.
            throw majorType == 7 ? .unexpectedBreak(offset: offset) : .indefiniteLength(offset: offset)
        }
        return CBORHead(majorType: majorType, additionalInformation: additionalInformation, argument: argument, offset: offset)
    }
}
