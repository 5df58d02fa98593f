/// One decoded CBOR data item (RFC 8949 §3), in the generic data model that the COSE key and attestation code
/// inspect.
///
/// Equality and hashing follow the CBOR data model rather than Swift's defaults (text by its UTF-8 bytes, floats
/// by their bits); see `CBORValue+Equality.swift`.
public indirect enum CBORValue: Sendable, Hashable {
    /// Major type 0: an unsigned integer, 0 through 2⁶⁴ − 1.
    case unsigned(UInt64)
    /// Major type 1: the negative integer −1 − n, holding the encoded argument n rather than the value, so that the
    /// whole range down to −2⁶⁴ is exact (no Swift integer type reaches that far).
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a text string, already checked to be valid UTF-8.
    case text(String)
    /// Major type 4: an array.
    case array([CBORValue])
    /// Major type 5: a map, as its key/value pairs in wire order. WebAuthn cares which keys are present (and a
    /// dictionary would hide the order a signature covered), so the pairs stay as they arrived. The decoder
    /// guarantees the keys are distinct.
    case map([MapEntry])
    /// Major type 6: a tag number and the item it tags. Tags are kept, not interpreted.
    case tagged(UInt64, CBORValue)
    /// Simple values 20 and 21.
    case bool(Bool)
    /// Simple value 22.
    case null
    /// Simple value 23.
    case undefined
    /// Major type 7 floats: half, single and double precision, all widened to `Double` (exactly: every half and
    /// single value, NaN payloads aside, has a `Double` twin).
    case float(Double)

    /// One key/value pair of a map.
    public struct MapEntry: Sendable, Hashable {
        /// The key, any CBOR item.
        public var key: CBORValue
        /// The value stored under `key`.
        public var value: CBORValue

        /// Pairs a key with its value.
        public init(key: CBORValue, value: CBORValue) {
            self.key = key
            self.value = value
        }
    }
}
