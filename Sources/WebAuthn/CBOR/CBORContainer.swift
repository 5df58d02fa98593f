/// An array, map or tag whose contents are still being decoded, one level of the decoder's explicit stack.
///
/// A class, so that appending through the stack mutates the growing element array in place; a struct popped,
/// changed and pushed back would be copied whenever a second reference existed, making large arrays quadratic.
final class CBORContainer {
    private enum Kind {
        case array
        case map
        case tag(UInt64)
    }

    private let kind: Kind
    /// Where the container's own head starts.
    let offset: Int
    /// Elements still expected (for a map, pairs).
    private var remaining: Int
    private var elements: [CBORValue] = []
    private var entries: [CBORValue.MapEntry] = []
    private var pendingKey: CBORValue?
    private var keys: Set<CBORValue> = []

    /// An array of `count` elements; `count` must already be checked against the input and item limits, since
    /// its storage is reserved up front.
    init(arrayOf count: Int, offset: Int) {
        kind = .array
        self.offset = offset
        remaining = count
        elements.reserveCapacity(count)
    }

    /// A map of `count` pairs, under the same precondition as `init(arrayOf:offset:)`.
    init(mapOf count: Int, offset: Int) {
        kind = .map
        self.offset = offset
        remaining = count
        entries.reserveCapacity(count)
        keys.reserveCapacity(count)
    }

    /// A tag, which always holds exactly one item.
    init(tag: UInt64, offset: Int) {
        kind = .tag(tag)
        self.offset = offset
        remaining = 1
    }

    /// Takes the next complete child, which starts at `childOffset`. Returns the finished container once its last
    /// child has arrived, nil while it expects more.
    func accept(_ child: CBORValue, at childOffset: Int) throws(CBORError) -> CBORValue? {
        switch kind {
        case .tag(let number):
            return .tagged(number, child)
        case .array:
            elements.append(child)
        case .map:
            guard let key = pendingKey else {
                // Keys must be unique (RFC 8949 §5.6): with duplicates, two parsers may each pick a different
                // value, which is how signed structures get misread. Key order, by contrast, is deliberately not
                // checked: authenticators in the field do not all emit the deterministic (sorted) order.
                guard keys.insert(child).inserted else { throw .duplicateMapKey(offset: childOffset) }
                pendingKey = child
                return nil
            }
            entries.append(CBORValue.MapEntry(key: key, value: child))
            pendingKey = nil
        }
        remaining -= 1
        guard remaining == 0 else { return nil }
        if case .array = kind { return .array(elements) }
        return .map(entries)
    }
}
