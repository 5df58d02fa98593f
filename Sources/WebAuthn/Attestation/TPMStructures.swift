import Crypto
import X509
import _CryptoExtras

/// Constants of the TPM 2.0 Library specification, Part 2 (Structures), that the `tpm` format reads.
enum TPMConstants {
    /// `TPM_GENERATED_VALUE`: the magic that marks a structure as produced inside the TPM.
    static let generatedValue: UInt32 = 0xff54_4347
    /// `TPM_ST_ATTEST_CERTIFY`: the attestation type of `TPM2_Certify`.
    static let attestCertify: UInt16 = 0x8017

    static let algRSA: UInt16 = 0x0001
    static let algSHA1: UInt16 = 0x0004
    static let algSHA256: UInt16 = 0x000B
    static let algSHA384: UInt16 = 0x000C
    static let algSHA512: UInt16 = 0x000D
    static let algNull: UInt16 = 0x0010
    static let algRSAES: UInt16 = 0x0015
    static let algECDAA: UInt16 = 0x001A
    static let algECC: UInt16 = 0x0023

    static let eccNistP256: UInt16 = 0x0003
    static let eccNistP384: UInt16 = 0x0004
    static let eccNistP521: UInt16 = 0x0005

    /// The largest digest (SHA-512) and so the largest `TPM2B_DIGEST`.
    static let maximumDigestSize = 64
    /// `TPMU_NAME` and `TPMT_HA`: a digest behind its two-byte algorithm, bounding `TPM2B_NAME` and `TPM2B_DATA`.
    static let maximumNameSize = 2 + maximumDigestSize
    /// `MAX_RSA_KEY_BYTES` for 4096-bit keys, bounding `TPM2B_PUBLIC_KEY_RSA`.
    static let maximumRSAKeyBytes = 512
    /// `MAX_ECC_KEY_BYTES` for P-521, bounding `TPM2B_ECC_PARAMETER`.
    static let maximumECCKeyBytes = 66
}

/// Reads TPM wire structures: big-endian integers and `TPM2B` buffers (a two-byte size, then that many bytes), each
/// read checked against what is left, each buffer against the largest size its type allows, so a cut or inflated
/// structure fails with a reason instead of reading past its end.
struct TPMReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// The structure's name in error messages (`pubArea`, `certInfo`).
    private let structure: String

    init(_ bytes: [UInt8], structure: String) {
        self.bytes = bytes
        self.structure = structure
    }

    private func failure(_ why: String) -> WebAuthnError {
        .attestation(format: TPMAttestation.identifier, "\(structure) \(why)")
    }

    mutating func read(_ count: Int) throws(WebAuthnError) -> [UInt8] {
        guard count <= bytes.count - offset else { throw failure("is cut short") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint8() throws(WebAuthnError) -> UInt8 {
        try read(1)[0]
    }

    mutating func uint16() throws(WebAuthnError) -> UInt16 {
        try read(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func uint32() throws(WebAuthnError) -> UInt32 {
        try read(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws(WebAuthnError) -> UInt64 {
        try read(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A `TPM2B_*` buffer of at most `maximum` bytes; `field` names it in the error.
    mutating func sized(maximum: Int, field: String) throws(WebAuthnError) -> [UInt8] {
        let size = Int(try uint16())
        guard size <= maximum else { throw failure("has a \(field) of \(size) bytes, more than its type allows (\(maximum))") }
        return try read(size)
    }

    /// Fails unless every byte has been read: nothing may follow a structure.
    func finish() throws(WebAuthnError) {
        guard offset == bytes.count else { throw failure("has \(bytes.count - offset) bytes after its end") }
    }
}

/// `TPMT_PUBLIC` (TPM 2.0 Part 2, 12.2.4): the public area the TPM holds for the credential key, parsed for RSA and
/// ECC keys, the two types a TPM signing key can have.
struct TPMPublicArea: Equatable {
    enum Key: Equatable {
        /// The modulus from `unique` and the exponent from the parameters (0 stands for 65537).
        case rsa(modulus: [UInt8], exponent: UInt32)
        /// The curve (`TPM_ECC_CURVE`) from the parameters and the point from `unique`.
        case ecc(curve: UInt16, x: [UInt8], y: [UInt8])
    }

    let nameAlg: UInt16
    let objectAttributes: UInt32
    let key: Key
    /// The exact bytes, which the object's Name is computed over.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        var reader = TPMReader(bytes, structure: "pubArea")
        let type = try reader.uint16()
        nameAlg = try reader.uint16()
        objectAttributes = try reader.uint32()
        _ = try reader.sized(maximum: TPMConstants.maximumDigestSize, field: "authPolicy")
        switch type {
        case TPMConstants.algRSA:
            try Self.skipSymmetric(&reader)
            // TPMT_RSA_SCHEME: every scheme but RSAES carries a hash algorithm.
            let scheme = try reader.uint16()
            if scheme != TPMConstants.algNull && scheme != TPMConstants.algRSAES { _ = try reader.uint16() }
            let keyBits = try reader.uint16()
            let exponent = try reader.uint32()
            let modulus = try reader.sized(maximum: TPMConstants.maximumRSAKeyBytes, field: "RSA modulus")
            guard keyBits % 8 == 0, modulus.count == Int(keyBits) / 8 else {
                throw .attestation(format: TPMAttestation.identifier, "pubArea's RSA modulus is not keyBits long")
            }
            key = .rsa(modulus: modulus, exponent: exponent)
        case TPMConstants.algECC:
            try Self.skipSymmetric(&reader)
            // TPMT_ECC_SCHEME: a hash algorithm unless NULL, and ECDAA adds its commit count.
            let scheme = try reader.uint16()
            if scheme != TPMConstants.algNull {
                _ = try reader.uint16()
                if scheme == TPMConstants.algECDAA { _ = try reader.uint16() }
            }
            let curve = try reader.uint16()
            // TPMT_KDF_SCHEME: a hash algorithm unless NULL.
            if try reader.uint16() != TPMConstants.algNull { _ = try reader.uint16() }
            let x = try reader.sized(maximum: TPMConstants.maximumECCKeyBytes, field: "ECC x coordinate")
            let y = try reader.sized(maximum: TPMConstants.maximumECCKeyBytes, field: "ECC y coordinate")
            key = .ecc(curve: curve, x: x, y: y)
        default:
            throw .attestation(format: TPMAttestation.identifier, "pubArea's type is neither TPM_ALG_RSA nor TPM_ALG_ECC")
        }
        try reader.finish()
        self.bytes = bytes
    }

    /// `TPMT_SYM_DEF_OBJECT`: an algorithm, then its key size and mode unless it is NULL.
    private static func skipSymmetric(_ reader: inout TPMReader) throws(WebAuthnError) {
        if try reader.uint16() != TPMConstants.algNull {
            _ = try reader.uint16()
            _ = try reader.uint16()
        }
    }

    /// The object's Name (TPM 2.0 Part 1, 16): `nameAlg` followed by the `nameAlg` digest of the public area. SHA-1
    /// is refused: a Name is what binds `certInfo` to this public area, and SHA-1 no longer binds.
    var name: [UInt8] {
        get throws(WebAuthnError) {
            let digest: [UInt8]
            switch nameAlg {
            case TPMConstants.algSHA256: digest = Array(SHA256.hash(data: bytes))
            case TPMConstants.algSHA384: digest = Array(SHA384.hash(data: bytes))
            case TPMConstants.algSHA512: digest = Array(SHA512.hash(data: bytes))
            default:
                throw .attestation(format: TPMAttestation.identifier, "pubArea's nameAlg is not SHA-256, SHA-384 or SHA-512")
            }
            return [UInt8(nameAlg >> 8), UInt8(nameAlg & 0xff)] + digest
        }
    }

    /// The public key as a certificate key, for comparison with the credential's: the point must be on the named
    /// curve, the RSA key must be one swift-crypto accepts (2048 bits or more).
    var publicKey: Certificate.PublicKey {
        get throws(WebAuthnError) {
            switch key {
            case .rsa(let modulus, let exponent):
                // An exponent of zero means the default, 2¹⁶ + 1.
                let value = exponent == 0 ? 65537 : exponent
                let e = withUnsafeBytes(of: value.bigEndian, Array.init).drop { $0 == 0 }
                guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: Array(e)) else {
                    throw .attestation(format: TPMAttestation.identifier, "pubArea's RSA key is not valid")
                }
                return Certificate.PublicKey(key)
            case .ecc(let curve, let x, let y):
                let size: Int
                switch curve {
                case TPMConstants.eccNistP256: size = 32
                case TPMConstants.eccNistP384: size = 48
                case TPMConstants.eccNistP521: size = 66
                default: throw .attestation(format: TPMAttestation.identifier, "pubArea's curve is not P-256, P-384 or P-521")
                }
                guard x.count <= size, y.count <= size else {
                    throw .attestation(format: TPMAttestation.identifier, "pubArea's ECC coordinates are longer than the curve")
                }
                // Coordinates are integers: a shorter encoding is the same value with its leading zeros dropped.
                let point = [0x04] + Array(repeating: 0, count: size - x.count) + x + Array(repeating: 0, count: size - y.count) + y
                let key: Certificate.PublicKey?
                switch curve {
                case TPMConstants.eccNistP256: key = (try? P256.Signing.PublicKey(x963Representation: point)).map { Certificate.PublicKey($0) }
                case TPMConstants.eccNistP384: key = (try? P384.Signing.PublicKey(x963Representation: point)).map { Certificate.PublicKey($0) }
                default: key = (try? P521.Signing.PublicKey(x963Representation: point)).map { Certificate.PublicKey($0) }
                }
                guard let key else { throw .attestation(format: TPMAttestation.identifier, "pubArea's ECC point is not on its curve") }
                return key
            }
        }
    }
}

/// `TPMS_ATTEST` (TPM 2.0 Part 2, 10.12.12) produced by `TPM2_Certify`, whose `attested` member is a
/// `TPMS_CERTIFY_INFO` (10.12.3). The magic and type are checked while parsing, since the rest of the layout
/// depends on them.
struct TPMCertifyInfo: Equatable {
    let qualifiedSigner: [UInt8]
    /// What the caller asked the TPM to include: for WebAuthn, the hash of `authenticatorData || clientDataHash`.
    let extraData: [UInt8]
    let clock: UInt64
    let resetCount: UInt32
    let restartCount: UInt32
    let safe: Bool
    let firmwareVersion: UInt64
    /// The Name of the certified object.
    let name: [UInt8]
    let qualifiedName: [UInt8]

    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        var reader = TPMReader(bytes, structure: "certInfo")
        guard try reader.uint32() == TPMConstants.generatedValue else {
            throw .attestation(format: TPMAttestation.identifier, "certInfo's magic is not TPM_GENERATED_VALUE")
        }
        guard try reader.uint16() == TPMConstants.attestCertify else {
            throw .attestation(format: TPMAttestation.identifier, "certInfo's type is not TPM_ST_ATTEST_CERTIFY")
        }
        qualifiedSigner = try reader.sized(maximum: TPMConstants.maximumNameSize, field: "qualifiedSigner")
        extraData = try reader.sized(maximum: TPMConstants.maximumNameSize, field: "extraData")
        clock = try reader.uint64()
        resetCount = try reader.uint32()
        restartCount = try reader.uint32()
        // WebAuthn §8.3 has clockInfo ignored, so any byte is read as it stands rather than refused.
        safe = try reader.uint8() != 0
        firmwareVersion = try reader.uint64()
        name = try reader.sized(maximum: TPMConstants.maximumNameSize, field: "attested name")
        qualifiedName = try reader.sized(maximum: TPMConstants.maximumNameSize, field: "attested qualifiedName")
        try reader.finish()
    }
}
