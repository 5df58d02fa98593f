/// The signature algorithms accepted (COSE algorithm identifiers, RFC 9053 and RFC 8812): an allow-list.
public enum COSEAlgorithm: Int64, Sendable, CaseIterable {
    /// ECDSA on P-256 with SHA-256.
    case es256 = -7
    /// Ed25519.
    case edDSA = -8
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = -257
    /// RSASSA-PSS with SHA-256.
    case ps256 = -37
}
