import Crypto

extension SHA256 {
    /// Adds `bytes`, straight from their storage when they are contiguous (arrays and their slices): the verifier
    /// hashes every entry of a chain, and a copy per entry is a measurable part of that.
    mutating func update(contiguous bytes: some Sequence<UInt8>) {
        let added: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if added == nil { update(data: Array(bytes)) }
    }
}

extension SHA256Digest {
    /// The digest's 32 bytes.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
