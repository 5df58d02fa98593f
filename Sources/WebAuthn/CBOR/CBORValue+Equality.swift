/// Equality in the CBOR data model, which is what duplicate-key detection and key lookup need.
///
/// The synthesized versions would be wrong in two places:
/// - `String ==` treats canonically equivalent strings as equal ("é" precomposed equals "e" + combining acute),
///   but in CBOR they are different text strings, so two such keys are not duplicates and one must not find the
///   other. Text is therefore compared by its UTF-8 bytes.
/// - `Double ==` makes NaN unequal to itself (breaking `Hashable`'s reflexivity, so a `Set` could hold the "same"
///   key twice) and 0.0 equal to −0.0, which are distinct CBOR values. Floats are therefore compared by bit
///   pattern after widening, which still makes a half-precision 1.0 equal to a double-precision 1.0.
extension CBORValue {
    /// Data-model equality: same kind and same content, text by bytes and floats by bits.
    public static func == (lhs: CBORValue, rhs: CBORValue) -> Bool {
        switch (lhs, rhs) {
        case let (.unsigned(a), .unsigned(b)): a == b
        case let (.negative(a), .negative(b)): a == b
        case let (.bytes(a), .bytes(b)): a == b
        case let (.text(a), .text(b)): a.utf8.elementsEqual(b.utf8)
        case let (.array(a), .array(b)): a == b
        case let (.map(a), .map(b)): a == b
        case let (.tagged(tagA, a), .tagged(tagB, b)): tagA == tagB && a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null), (.undefined, .undefined): true
        case let (.float(a), .float(b)): a.bitPattern == b.bitPattern
        default: false
        }
    }

    /// Hashes consistently with `==`: a leading discriminator per case, text by bytes, floats by bits.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .unsigned(let value):
            hasher.combine(0 as UInt8)
            hasher.combine(value)
        case .negative(let argument):
            hasher.combine(1 as UInt8)
            hasher.combine(argument)
        case .bytes(let bytes):
            hasher.combine(2 as UInt8)
            hasher.combine(bytes)
        case .text(let text):
            hasher.combine(3 as UInt8)
            hasher.combine(text.utf8.count)
            for byte in text.utf8 { hasher.combine(byte) }
        case .array(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements)
        case .map(let entries):
            hasher.combine(5 as UInt8)
            hasher.combine(entries)
        case .tagged(let tag, let content):
            hasher.combine(6 as UInt8)
            hasher.combine(tag)
            hasher.combine(content)
        case .bool(let value):
            hasher.combine(7 as UInt8)
            hasher.combine(value)
        case .null:
            hasher.combine(8 as UInt8)
        case .undefined:
            hasher.combine(9 as UInt8)
        case .float(let value):
            hasher.combine(10 as UInt8)
            hasher.combine(value.bitPattern)
        }
    }
}
