import Foundation
import Ledger

extension UUID {
    /// The id as the API, the ledger and PostgreSQL's `uuid::text` write it: lowercase, with hyphens.
    ///
    /// Written digit by digit: `uuidString` formats through the C library's printf and is then lowercased, two
    /// allocations and a format parse for every id a request writes.
    var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    out[at] = Hex.digit(byte >> 4)
                    out[at + 1] = Hex.digit(byte & 0x0f)
                    at += 2
                }
                return at
            }
        }
    }

    /// A new random (version 4) id from the system's CSPRNG.
    ///
    /// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for every id; this asks the kernel
    /// for the bytes directly (`getrandom`), which costs a fraction of that on the write path, where every
    /// append makes one.
    static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0f) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3f) | 0x80  // RFC 9562 variant
            return UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11],
                               raw[12], raw[13], raw[14], raw[15]))
        }
    }
}
