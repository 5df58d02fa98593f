import Crypto
import Foundation

/// One schema migration: a plain SQL file named `NNNN_description.sql`, applied once, in order, in a
/// transaction. The checksum (SHA-256 of the file's bytes) is recorded so an edit after the fact is caught.
struct Migration: Sendable, Equatable {
    let version: Int
    let name: String
    let sql: String
    let checksum: [UInt8]

    init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Array(SHA256.hash(data: Data(sql.utf8)))
    }

    /// Parses `0001_ledger.sql` into (1, "ledger"); nil for names that do not follow the pattern.
    static func parseFileName(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let version = Int(digits), version > 0,
              !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        return (version, String(name))
    }
}
