/// Decodes one data item from a reader without recursion: containers being filled live on an explicit stack
/// whose height is capped by the depth limit, so nesting costs heap, never call stack.
struct CBORParser {
    private var reader: CBORReader
    private let maximumDepth: Int
    private let maximumItems: Int
    private let maximumStringLength: Int
    private var itemCount = 0

    init(input: ArraySlice<UInt8>, limits: CBORLimits) {
        reader = CBORReader(input)
        maximumDepth = limits.effectiveDepth
        // Clamped so that the budget arithmetic below can neither go negative nor overflow.
        maximumItems = max(limits.maximumItems, 0)
        maximumStringLength = max(limits.maximumStringLength, 0)
    }

    /// Bytes consumed so far.
    var consumed: Int { reader.offset }

    /// Decodes the next complete item, leaving the reader just after it.
    mutating func parseItem() throws(CBORError) -> CBORValue {
        var open: [CBORContainer] = []
        nextItem: while true {
            let head = try readCountedHead()
            var value: CBORValue
            switch head.majorType {
            case 0:
                value = .unsigned(head.argument)
            case 1:
                value = .negative(head.argument)
            case 2:
                value = .bytes(Array(try readString(head)))
            case 3:
                value = .text(try readText(head))
            case 4, 5, 6:
                guard open.count < maximumDepth else {
                    throw .depthLimitExceeded(limit: maximumDepth, offset: head.offset)
                }
                guard let container = try openContainer(head) else {
                    value = head.majorType == 4 ? .array([]) : .map([])
                    break
                }
                open.append(container)
                continue nextItem
            default:
                value = try readSimpleOrFloat(head)
            }

            // A finished item goes into the innermost open container, which may finish in turn, and so on outward.
            var valueOffset = head.offset
            while let container = open.last {
                guard let finished = try container.accept(value, at: valueOffset) else { continue nextItem }
                open.removeLast()
                value = finished
                valueOffset = container.offset
            }
            return value
        }
    }

    /// Reads a head and counts the item against the item limit.
    private mutating func readCountedHead() throws(CBORError) -> CBORHead {
        let head = try reader.readHead()
        // Cannot overflow: each item consumes at least one byte of an input that fits in memory.
        itemCount += 1
        guard itemCount <= maximumItems else { throw .itemLimitExceeded(limit: maximumItems, offset: head.offset) }
        return head
    }

    /// The container for an array, map or tag head, or nil for an empty array or map, which is complete already.
    /// The declared count is checked before any storage is reserved for it.
    private func openContainer(_ head: CBORHead) throws(CBORError) -> CBORContainer? {
        if head.majorType == 6 { return CBORContainer(tag: head.argument, offset: head.offset) }
        let itemsPerElement: UInt64 = head.majorType == 5 ? 2 : 1
        // Every item takes at least one byte, so a count the remaining input cannot hold is truncation, caught
        // here rather than after reserving room for, say, 2⁶⁴ − 1 elements.
        guard head.argument <= UInt64(reader.remaining) / itemsPerElement else {
            throw .truncated(offset: head.offset)
        }
        let count = Int(head.argument)
        // count × itemsPerElement ≤ remaining, so the product cannot overflow; the difference is non-negative
        // because itemCount has already been checked against maximumItems.
        guard count * Int(itemsPerElement) <= maximumItems - itemCount else {
            throw .itemLimitExceeded(limit: maximumItems, offset: head.offset)
        }
        guard count > 0 else { return nil }
        return head.majorType == 4
            ? CBORContainer(arrayOf: count, offset: head.offset)
            : CBORContainer(mapOf: count, offset: head.offset)
    }

    /// The content of a byte or text string, its declared length checked against the string limit and the input
    /// before anything is copied.
    private mutating func readString(_ head: CBORHead) throws(CBORError) -> ArraySlice<UInt8> {
        guard head.argument <= UInt64(maximumStringLength) else {
            throw .stringTooLong(length: head.argument, limit: maximumStringLength, offset: head.offset)
        }
        return try reader.readBytes(count: head.argument, item: head.offset)
    }

    /// A text string's content, which must be well-formed UTF-8: no overlong forms, surrogates, code points above
    /// U+10FFFF or cut-off sequences.
    private mutating func readText(_ head: CBORHead) throws(CBORError) -> String {
        let bytes = try readString(head)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(offset: head.offset) }
        return text
    }

    /// Major type 7. Floats are accepted at any width, without insisting on the shortest one that keeps the value:
    /// RFC 8949 makes that a preference, not a well-formedness rule, and WebAuthn carries no floats to be
    /// ambiguous about.
    private func readSimpleOrFloat(_ head: CBORHead) throws(CBORError) -> CBORValue {
        switch head.additionalInformation {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24:
            // The two-byte form exists only for values 32 and up (RFC 8949 §3.3); below that it is an overlong
            // spelling of a one-byte simple value.
            guard head.argument >= 32 else { throw .nonMinimalEncoding(offset: head.offset) }
            throw .unsupportedSimpleValue(value: UInt8(truncatingIfNeeded: head.argument), offset: head.offset)
        case 25: return .float(CBORFloat.double(fromHalf: UInt16(truncatingIfNeeded: head.argument)))
        case 26: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: head.argument))))
        case 27: return .float(Double(bitPattern: head.argument))
        default:
            // 0 through 19: unassigned simple values, which no WebAuthn structure uses.
            throw .unsupportedSimpleValue(value: head.additionalInformation, offset: head.offset)
        }
    }
}
