import CSodium

/// A fixed-size secret held in memory that libsodium guards (`sodium_malloc`: guard pages, locked against
/// swapping) and wipes when the last reference goes away. Access is scoped so the secret never escapes as a
/// copyable value by accident.
///
/// `@unchecked Sendable` is sound here: the bytes are written once, in `init`, before the object is shared;
/// afterwards they are only read (concurrent reads are safe) until `deinit`, which runs when no reference is
/// left. The compiler cannot see through the raw pointer, so it is told.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer

    /// The number of secret bytes.
    public var count: Int { buffer.count }

    /// Copies `bytes` into guarded memory. The caller should wipe its own copy afterwards.
    public init(copying bytes: some Collection<UInt8>) {
        Sodium.ensureInitialised()
        let count = bytes.count
        guard let raw = sodium_malloc(max(count, 1)) else {
            fatalError("sodium_malloc failed: out of memory")
        }
        buffer = UnsafeMutableRawBufferPointer(start: raw, count: count)
        buffer.copyBytes(from: bytes)
    }

    /// Runs `body` with the secret. The pointer must not escape the closure.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(buffer))
    }

    deinit {
        // sodium_free zeroes the memory before releasing it.
        sodium_free(buffer.baseAddress)
    }
}
