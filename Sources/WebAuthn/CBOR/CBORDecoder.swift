/// A strict decoder for CBOR (RFC 8949), sized for WebAuthn's attestation objects, authenticator data and COSE
/// keys.
///
/// It accepts only what those need and refuses anything that could be read two ways or used to exhaust memory:
/// - definite lengths only: indefinite-length strings, arrays and maps are refused;
/// - the shortest encoding of every integer, length, count and tag number;
/// - no duplicate map keys (compared in the data model, see `CBORValue.==`);
/// - valid UTF-8 in text strings;
/// - no reserved additional information, no simple values besides false, true, null and undefined;
/// - depth, item-count, input-size and string-length limits (`CBORLimits`), checked before allocating.
///
/// Map keys are *not* required to be in deterministic (sorted) order: authenticators in the field do not all sort
/// them, and uniqueness is what matters for reading a map unambiguously.
///
/// Decoding is iterative, so no input can exhaust the call stack, and all arithmetic on input-derived numbers is
/// bounded first, so no input can trap.
public struct CBORDecoder: Sendable {
    /// The limits every decode enforces.
    public var limits: CBORLimits

    /// A decoder with the given limits.
    public init(limits: CBORLimits = .default) {
        self.limits = limits
    }

    /// Decodes `bytes` as exactly one data item; bytes left over after it are an error.
    public func decode(_ bytes: [UInt8]) throws(CBORError) -> CBORValue {
        try decode(bytes[...])
    }

    /// Decodes `bytes` as exactly one data item; bytes left over after it are an error. Offsets in errors count
    /// from the slice's first byte.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> CBORValue {
        let (value, consumed) = try decodePrefix(bytes)
        guard consumed == bytes.count else { throw .trailingBytes(offset: consumed) }
        return value
    }

    /// Decodes the data item at the start of `bytes` and reports how many bytes it took, leaving the rest to the
    /// caller: in authenticator data the credential public key is followed by the extensions map.
    public func decodePrefix(_ bytes: [UInt8]) throws(CBORError) -> (value: CBORValue, consumed: Int) {
        try decodePrefix(bytes[...])
    }

    /// Decodes the data item at the start of `bytes` and reports how many bytes it took. `consumed` and the
    /// offsets in errors count from the slice's first byte, so `bytes.dropFirst(consumed)` is the rest.
    public func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> (value: CBORValue, consumed: Int) {
        guard bytes.count <= max(limits.maximumInputSize, 0) else {
            throw .inputTooLarge(size: bytes.count, limit: limits.maximumInputSize)
        }
        var parser = CBORParser(input: bytes, limits: limits)
        let value = try parser.parseItem()
        return (value, parser.consumed)
    }
}
