/// Why the decoder refused its input. Every rule has its own case so callers and tests can tell them apart;
/// offsets count bytes from the start of the input the decoder was given (for a slice, from its first byte).
public enum CBORError: Error, Equatable, Sendable {
    /// The input is longer than `CBORLimits.maximumInputSize`; nothing was decoded.
    case inputTooLarge(size: Int, limit: Int)
    /// The input ends inside the data item that starts at `offset` (or, when `offset` is the input's length, before
    /// an item that an enclosing array, map or tag still expects). Also raised, before anything is allocated,
    /// when a declared length or element count cannot fit in the bytes that remain.
    case truncated(offset: Int)
    /// A complete item was decoded but bytes remain, starting at `offset`.
    case trailingBytes(offset: Int)
    /// Additional information 31 at `offset`: an indefinite-length string, array or map, which this decoder does
    /// not accept (for integers and tags, 31 is not even well-formed).
    case indefiniteLength(offset: Int)
    /// A "break" stop code (0xFF) at `offset`, which is only meaningful inside indefinite-length items.
    case unexpectedBreak(offset: Int)
    /// Additional information 28, 29 or 30, reserved by RFC 8949, in the item at `offset`.
    case reservedAdditionalInformation(value: UInt8, offset: Int)
    /// The item at `offset` encodes its integer value, length, count or tag number in more bytes than needed (for
    /// example 0x18 0x05 for 5), or is a two-byte simple value below 32. Rejected so that each value has one
    /// encoding.
    case nonMinimalEncoding(offset: Int)
    /// The text string at `offset` is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// The map key at `offset` equals an earlier key of the same map.
    case duplicateMapKey(offset: Int)
    /// The simple value at `offset` is not false, true, null or undefined.
    case unsupportedSimpleValue(value: UInt8, offset: Int)
    /// The array, map or tag at `offset` would nest deeper than `CBORLimits.maximumDepth`.
    case depthLimitExceeded(limit: Int, offset: Int)
    /// The item at `offset` (or the elements an array or map at `offset` declares) would take the total number of
    /// items past `CBORLimits.maximumItems`.
    case itemLimitExceeded(limit: Int, offset: Int)
    /// The byte or text string at `offset` declares `length` bytes, more than `CBORLimits.maximumStringLength`.
    case stringTooLong(length: UInt64, limit: Int, offset: Int)
}

extension CBORError: CustomStringConvertible {
    /// A one-line account of the failure, for logs and problem details.
    public var description: String {
        switch self {
        case let .inputTooLarge(size, limit): "CBOR input of \(size) bytes exceeds the limit of \(limit)"
        case let .truncated(offset): "CBOR input ends inside the item at offset \(offset)"
        case let .trailingBytes(offset): "CBOR input has trailing bytes from offset \(offset)"
        case let .indefiniteLength(offset): "indefinite-length CBOR item at offset \(offset)"
        case let .unexpectedBreak(offset): "unexpected CBOR break code at offset \(offset)"
        case let .reservedAdditionalInformation(value, offset):
            "reserved CBOR additional information \(value) at offset \(offset)"
        case let .nonMinimalEncoding(offset): "non-minimal CBOR encoding at offset \(offset)"
        case let .invalidUTF8(offset): "CBOR text string at offset \(offset) is not valid UTF-8"
        case let .duplicateMapKey(offset): "duplicate CBOR map key at offset \(offset)"
        case let .unsupportedSimpleValue(value, offset): "unsupported CBOR simple value \(value) at offset \(offset)"
        case let .depthLimitExceeded(limit, offset): "CBOR nesting deeper than \(limit) at offset \(offset)"
        case let .itemLimitExceeded(limit, offset): "more than \(limit) CBOR items at offset \(offset)"
        case let .stringTooLong(length, limit, offset):
            "CBOR string of \(length) bytes at offset \(offset) exceeds the limit of \(limit)"
        }
    }
}
