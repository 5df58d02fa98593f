import WebAuthn

/// Encodes CBOR the way authenticators do (shortest heads, definite lengths, keys in the given order), so tests can
/// build attestation objects, authenticator data and COSE keys, valid or deliberately not.
public enum CBOREncoding {
    public static func encode(_ value: CBORValue) -> [UInt8] {
        switch value {
        case .unsigned(let n): return head(0, n)
        case .negative(let n): return head(1, n)
        case .bytes(let bytes): return head(2, UInt64(bytes.count)) + bytes
        case .text(let text): return head(3, UInt64(text.utf8.count)) + Array(text.utf8)
        case .array(let items): return head(4, UInt64(items.count)) + items.flatMap(encode)
        case .map(let entries): return head(5, UInt64(entries.count)) + entries.flatMap { encode($0.key) + encode($0.value) }
        case .tagged(let tag, let inner): return head(6, tag) + encode(inner)
        case .bool(let flag): return [flag ? 0xf5 : 0xf4]
        case .null: return [0xf6]
        case .undefined: return [0xf7]
        case .float(let double): return [0xfb] + withUnsafeBytes(of: double.bitPattern.bigEndian, Array.init)
        }
    }

    /// The shortest head for a major type and argument.
    public static func head(_ major: UInt8, _ argument: UInt64) -> [UInt8] {
        let type = major << 5
        switch argument {
        case 0..<24: return [type | UInt8(argument)]
        case 24...0xff: return [type | 24, UInt8(argument)]
        case 0x100...0xffff: return [type | 25] + withUnsafeBytes(of: UInt16(argument).bigEndian, Array.init)
        case 0x1_0000...0xffff_ffff: return [type | 26] + withUnsafeBytes(of: UInt32(argument).bigEndian, Array.init)
        default: return [type | 27] + withUnsafeBytes(of: argument.bigEndian, Array.init)
        }
    }

    /// A map from pairs, in the order given.
    public static func map(_ pairs: [(CBORValue, CBORValue)]) -> CBORValue {
        .map(pairs.map { CBORValue.MapEntry(key: $0.0, value: $0.1) })
    }
}
