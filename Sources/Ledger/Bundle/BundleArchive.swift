import Foundation
import ZIPFoundation

/// The ZIP container of a bundle, in one canonical form: the files in a fixed order, stored (not compressed),
/// each dated 1980-01-01T00:00:00Z with mode 0644, written by ZIPFoundation. Reading is strict: exactly the
/// expected files in that order, size limits, and the archive must be byte for byte the canonical archive of the
/// files it holds, so that a change anywhere in it (a header, a date, a comment) is refused, not just a change to
/// the files.
public enum BundleArchive {
    /// The files of a bundle, in order.
    public static let fileNames = [
        "manifest.json", "manifest.sig", "checkpoint.txt", "entries.jsonl", "signatures.jsonl", "proofs.jsonl", "keys.txt",
    ]
    /// The largest bundle read: 2 GiB.
    public static let maximumBytes = 2 << 30

    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private static let fixedDate = Date(timeIntervalSince1970: 315_532_800)

    /// The canonical archive of `files`.
    static func write(_ files: [(name: String, bytes: [UInt8])]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for file in files {
            let data = Data(file.bytes)
            try archive.addEntry(
                with: file.name, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate, permissions: 0o644,
                compressionMethod: .none
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let bytes = archive.data else { throw Malformed(description: "the archive could not be written") }
        return Array(bytes)
    }

    /// The files of a canonical bundle archive, by name. The archive is parsed here, with every offset and
    /// length checked, rather than by a general ZIP reader: the canonical form is one fixed layout (local headers
    /// in order, no extra fields, stored), and a general reader given a hostile archive can fail badly. The
    /// files found are then written again, and the result must be the archive given, byte for byte.
    public static func read(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
        guard bytes.count <= maximumBytes else { throw Malformed(description: "the bundle is larger than \(maximumBytes) bytes") }
        func field(_ offset: Int, _ width: Int) -> Int {
            (0..<width).reduce(0) { value, index in value | Int(bytes[offset + index]) << (8 * index) }
        }
        var files: [(name: String, bytes: [UInt8])] = []
        var offset = 0
        for name in fileNames {
            guard offset + 30 <= bytes.count, field(offset, 4) == 0x0403_4b50 else {
                throw Malformed(description: "the archive does not hold \(name) where the bundle's layout puts it")
            }
            let size = field(offset + 18, 4)
            let nameLength = field(offset + 26, 2), extraLength = field(offset + 28, 2)
            let start = offset + 30 + nameLength + extraLength
            guard field(offset + 8, 2) == 0, size == field(offset + 22, 4), extraLength == 0, start + size <= bytes.count,
                  Array(bytes[(offset + 30)..<(offset + 30 + nameLength)]) == Array(name.utf8)
            else { throw Malformed(description: "the archive does not hold \(name) where the bundle's layout puts it") }
            files.append((name, Array(bytes[start..<(start + size)])))
            offset = start + size
        }
        guard try write(files) == bytes else {
            throw Malformed(description: "the archive is not in the bundle's canonical form (a header, date, checksum or directory was changed)")
        }
        return Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.bytes) })
    }
}
