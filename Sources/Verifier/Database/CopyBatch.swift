/// Binary COPY tuples packed end to end in one buffer: a batch costs one allocation, not one per row, and a
/// tuple is a slice of it.
struct CopyBatch: Sendable {
    private(set) var bytes: [UInt8] = []
    private var ends: [Int] = []

    /// Room for `tuples` tuples of about `bytesEach` bytes.
    init(tuples: Int, bytesEach: Int) {
        bytes.reserveCapacity(tuples * bytesEach)
        ends.reserveCapacity(tuples)
    }

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }

    /// The `index`th tuple.
    subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    mutating func append(_ tuple: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: tuple)
        ends.append(bytes.count)
    }
}
