/// Typed views of a decoded item, each nil when the item is of another kind, so that COSE and attestation parsing
/// can read fields with `guard let` instead of switching on every case.
extension CBORValue {
    /// The CBOR integer with this value: major type 0 for zero and above, major type 1 below zero.
    public init(_ integer: Int64) {
        // −1 − integer cannot overflow for a negative Int64: the smallest, Int64.min, gives Int64.max.
        self = integer >= 0 ? .unsigned(UInt64(integer)) : .negative(UInt64(-1 - integer))
    }

    /// The integer's value when it is an integer (of either sign) that fits in `Int64`, as COSE labels and
    /// algorithm identifiers do; nil for anything else, including integers outside `Int64`'s range.
    public var int: Int64? {
        switch self {
        case .unsigned(let value): Int64(exactly: value)
        // The argument n stands for −1 − n; n ≤ Int64.max keeps the subtraction in range.
        case .negative(let argument): Int64(exactly: argument).map { -1 - $0 }
        default: nil
        }
    }

    /// The value of an unsigned integer (major type 0).
    public var uint64: UInt64? {
        if case .unsigned(let value) = self { value } else { nil }
    }

    /// The contents of a byte string.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = self { bytes } else { nil }
    }

    /// The contents of a text string.
    public var text: String? {
        if case .text(let text) = self { text } else { nil }
    }

    /// The elements of an array.
    public var array: [CBORValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The key/value pairs of a map, in wire order.
    public var map: [MapEntry]? {
        if case .map(let entries) = self { entries } else { nil }
    }

    /// The tag number and tagged item of a tag.
    public var tagged: (tag: UInt64, value: CBORValue)? {
        if case .tagged(let tag, let value) = self { (tag, value) } else { nil }
    }

    /// The value of `true` or `false`.
    public var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The value of a float of any precision. Integers are not converted: CBOR keeps the two apart.
    public var double: Double? {
        if case .float(let value) = self { value } else { nil }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// Whether this is `undefined`.
    public var isUndefined: Bool {
        if case .undefined = self { true } else { false }
    }

    /// The value stored under `key` when this is a map holding that key; nil otherwise. Keys compare in the CBOR
    /// data model (see `==`), so an integer key never matches a float or text key.
    public func value(forKey key: CBORValue) -> CBORValue? {
        // A linear scan: the maps WebAuthn reads have a handful of entries, and keys are unique, so the first
        // match is the only one.
        map?.first { $0.key == key }?.value
    }

    /// The value stored under the integer key `key` (COSE's labels, e.g. 1 for kty or −1 for crv).
    public func value(forKey key: Int64) -> CBORValue? {
        value(forKey: CBORValue(key))
    }

    /// The value stored under the text key `key` (the attestation object's "fmt", "attStmt", "authData"). The
    /// match is byte for byte, without Unicode normalization.
    public func value(forKey key: String) -> CBORValue? {
        value(forKey: CBORValue.text(key))
    }

    /// Shorthand for `value(forKey:)`.
    public subscript(key: CBORValue) -> CBORValue? {
        value(forKey: key)
    }

    /// Shorthand for `value(forKey:)` with an integer key.
    public subscript(key: Int64) -> CBORValue? {
        value(forKey: key)
    }

    /// Shorthand for `value(forKey:)` with a text key.
    public subscript(key: String) -> CBORValue? {
        value(forKey: key)
    }
}
