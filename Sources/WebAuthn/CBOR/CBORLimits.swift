/// Bounds on what one decode may consume, all checked before the memory they guard is allocated, so that a few
/// hostile bytes cannot make the decoder reserve gigabytes or recurse without end.
///
/// The defaults are generous for WebAuthn, whose largest CBOR (an attestation object carrying a certificate chain)
/// is a few kilobytes and nests four or five levels deep. Negative limits are treated as zero.
public struct CBORLimits: Sendable, Hashable {
    /// The nesting depth no array, map or tag may exceed; a top-level array is at depth 1. Values above
    /// `supportedDepth` are treated as `supportedDepth`.
    public var maximumDepth: Int
    /// The most data items one input may hold, counting every array, map, tag, key and value.
    public var maximumItems: Int
    /// The largest input accepted, in bytes, counting everything handed to the decoder (for `decodePrefix`, the
    /// bytes after the item too).
    public var maximumInputSize: Int
    /// The longest byte or text string accepted, in bytes.
    public var maximumStringLength: Int

    /// The deepest nesting honoured whatever `maximumDepth` says. Decoding itself is iterative, but comparing,
    /// hashing and releasing a `CBORValue` recurse once per level, so depth must stay far below what the stack of
    /// a secondary thread can take.
    public static let supportedDepth = 256

    /// The limits for WebAuthn: depth 16, 10 000 items, 64 KiB of input and 16 KiB per string.
    public static let `default` = CBORLimits()

    /// Limits with each value given or left at its default.
    public init(
        maximumDepth: Int = 16,
        maximumItems: Int = 10_000,
        maximumInputSize: Int = 65_536,
        maximumStringLength: Int = 16_384
    ) {
        self.maximumDepth = maximumDepth
        self.maximumItems = maximumItems
        self.maximumInputSize = maximumInputSize
        self.maximumStringLength = maximumStringLength
    }

    /// `maximumDepth` clamped to 0...`supportedDepth`.
    var effectiveDepth: Int { min(max(maximumDepth, 0), Self.supportedDepth) }
}
