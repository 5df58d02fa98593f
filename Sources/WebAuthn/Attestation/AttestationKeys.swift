import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Key handling shared by the `tpm`, `android-key` and `apple` formats: signatures by a certificate's key with the
/// wider algorithm set attestation keys use, comparing a certificate's key with the credential's, and reading a
/// certificate extension's value.
enum AttestationKeys {
    /// The credential public key of the authenticator data as a certificate key, so that it can be compared with
    /// the key a certificate or TPM structure carries. `COSEKey` has already checked it; this reads the same COSE
    /// map again for the raw key material.
    static func credentialPublicKey(_ credential: AttestedCredentialData) throws(WebAuthnError) -> Certificate.PublicKey {
        let map: CBORValue
        do {
            map = try CBORDecoder().decode(credential.publicKeyBytes)
        } catch {
            throw .cbor("credential public key", error)
        }
        switch credential.publicKey.algorithm {
        case .es256:
            guard let x = map[-2]?.bytes, let y = map[-3]?.bytes,
                  let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y) else {
                throw .coseKey("the P-256 coordinates are not a point on the curve")
            }
            return Certificate.PublicKey(key)
        case .edDSA:
            guard let x = map[-2]?.bytes, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else {
                throw .coseKey("the Ed25519 key is not 32 bytes")
            }
            return Certificate.PublicKey(key)
        case .rs256, .ps256:
            guard let n = map[-1]?.bytes, let e = map[-2]?.bytes, let key = try? _RSA.Signing.PublicKey(n: n, e: e) else {
                throw .coseKey("the RSA key is not valid")
            }
            return Certificate.PublicKey(key)
        }
    }

    /// Whether the certificate carries exactly the credential's public key. `Certificate.PublicKey` compares key
    /// material (points, modulus and exponent), not encodings.
    static func certificate(_ certificate: Certificate, holds credential: AttestedCredentialData) throws(WebAuthnError) -> Bool {
        certificate.publicKey == (try credentialPublicKey(credential))
    }

    /// The value of the extension `oid` when the certificate carries it.
    static func extensionValue(_ oid: ASN1ObjectIdentifier, in certificate: Certificate) -> ArraySlice<UInt8>? {
        certificate.extensions[oid: oid]?.value
    }

    /// Signature algorithms an attestation key may use (COSE identifiers). Wider than the credential allow-list
    /// because attestation keys belong to authenticator makers (TPM AIKs are often RSA with SHA-384 or SHA-512);
    /// SHA-1 (`RS1`) is left out.
    enum SignatureAlgorithm: Int64, CaseIterable {
        case es256 = -7, es384 = -35, es512 = -36
        case rs256 = -257, rs384 = -258, rs512 = -259
        case ps256 = -37, ps384 = -38, ps512 = -39
        case edDSA = -8

        /// The algorithm named by `alg`, or `.unsupportedAlgorithm`.
        static func named(_ alg: CBORValue?, format: String) throws(WebAuthnError) -> SignatureAlgorithm {
            guard let value = alg?.int else { throw .attestation(format: format, "alg is missing or not an integer") }
            guard let algorithm = SignatureAlgorithm(rawValue: value) else { throw .unsupportedAlgorithm(value) }
            return algorithm
        }

        /// The digest of `data` with the algorithm's hash; nil for EdDSA, which hashes internally.
        func digest(_ data: [UInt8]) -> [UInt8]? {
            switch self {
            case .es256, .rs256, .ps256: Array(SHA256.hash(data: data))
            case .es384, .rs384, .ps384: Array(SHA384.hash(data: data))
            case .es512, .rs512, .ps512: Array(SHA512.hash(data: data))
            case .edDSA: nil
            }
        }

        /// Whether `signature` is `key`'s signature over `data` by this algorithm. A key of the wrong type for the
        /// algorithm (an RSA key for ES256, a P-384 key for ES256) never verifies: the curve is bound to the hash as
        /// COSE's ECDSA identifiers are used in practice.
        func isValidSignature(_ signature: [UInt8], over data: [UInt8], by key: Certificate.PublicKey) -> Bool {
            switch self {
            case .es256:
                guard let key = P256.Signing.PublicKey(key),
                      let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                return key.isValidSignature(parsed, for: SHA256.hash(data: data))
            case .es384:
                guard let key = P384.Signing.PublicKey(key),
                      let parsed = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                return key.isValidSignature(parsed, for: SHA384.hash(data: data))
            case .es512:
                guard let key = P521.Signing.PublicKey(key),
                      let parsed = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                return key.isValidSignature(parsed, for: SHA512.hash(data: data))
            case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512:
                guard let key = _RSA.Signing.PublicKey(key) else { return false }
                let parsed = _RSA.Signing.RSASignature(rawRepresentation: signature)
                let padding: _RSA.Signing.Padding = [.ps256, .ps384, .ps512].contains(self) ? .PSS : .insecurePKCS1v1_5
                switch self {
                case .rs256, .ps256: return key.isValidSignature(parsed, for: SHA256.hash(data: data), padding: padding)
                case .rs384, .ps384: return key.isValidSignature(parsed, for: SHA384.hash(data: data), padding: padding)
                default: return key.isValidSignature(parsed, for: SHA512.hash(data: data), padding: padding)
                }
            case .edDSA:
                guard let key = Curve25519.Signing.PublicKey(key) else { return false }
                return key.isValidSignature(signature, for: data)
            }
        }
    }
}
