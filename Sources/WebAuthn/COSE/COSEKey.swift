import Crypto
import _CryptoExtras

/// A credential public key from its COSE_Key form (RFC 9052 §7), checked to be a key the algorithm allows: P-256
/// for ES256, Ed25519 for EdDSA, RSA of 2048 bits or more for RS256 and PS256.
public struct COSEKey: Sendable, Equatable {
    public let algorithm: COSEAlgorithm
    private let key: Key

    private enum Key: Sendable, Equatable {
        case p256(x963: [UInt8])
        case ed25519([UInt8])
        case rsa(n: [UInt8], e: [UInt8])
    }

    // COSE labels: 1 kty, 3 alg; -1 crv (EC2, OKP) or n (RSA); -2 x or e; -3 y.
    private static let ec2 = 2, okp = 1, rsaType = 3, p256 = 1, ed25519Curve = 6

    public init(_ value: CBORValue) throws(WebAuthnError) {
        guard value.map != nil else { throw .coseKey("it is not a map") }
        guard let kty = value[1]?.int else { throw .coseKey("the key type (1) is missing") }
        guard let alg = value[3]?.int else { throw .coseKey("the algorithm (3) is missing") }
        guard let algorithm = COSEAlgorithm(rawValue: alg) else { throw .unsupportedAlgorithm(alg) }
        self.algorithm = algorithm
        switch algorithm {
        case .es256:
            guard kty == Int64(Self.ec2), value[-1]?.int == Int64(Self.p256) else { throw .coseKey("ES256 needs an EC2 key on P-256") }
            guard let x = value[-2]?.bytes, let y = value[-3]?.bytes, x.count == 32, y.count == 32 else {
                throw .coseKey("the P-256 coordinates are missing or not 32 bytes")
            }
            let point = [0x04] + x + y
            // Parsing checks that the point is on the curve.
            guard (try? P256.Signing.PublicKey(x963Representation: point)) != nil else { throw .coseKey("the point is not on P-256") }
            key = .p256(x963: point)
        case .edDSA:
            guard kty == Int64(Self.okp), value[-1]?.int == Int64(Self.ed25519Curve) else { throw .coseKey("EdDSA needs an OKP key on Ed25519") }
            guard let x = value[-2]?.bytes, x.count == 32 else { throw .coseKey("the Ed25519 key is missing or not 32 bytes") }
            key = .ed25519(x)
        case .rs256, .ps256:
            guard kty == Int64(Self.rsaType) else { throw .coseKey("RS256 and PS256 need an RSA key") }
            guard let n = value[-1]?.bytes, let e = value[-2]?.bytes, !e.isEmpty, e.count <= 8 else {
                throw .coseKey("the RSA modulus or exponent is missing")
            }
            let modulus = n.drop { $0 == 0 }
            guard modulus.count >= 256 else { throw .coseKey("the RSA modulus is shorter than 2048 bits") }
            guard (try? _RSA.Signing.PublicKey(n: n, e: e)) != nil else { throw .coseKey("the RSA key is not valid") }
            key = .rsa(n: n, e: e)
        }
    }

    /// Whether `signature` is this key's signature over `data`, by its algorithm: ES256 signatures are DER, as
    /// WebAuthn specifies; EdDSA signatures are 64 raw bytes.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch key {
        case .p256(let point):
            guard let publicKey = try? P256.Signing.PublicKey(x963Representation: point),
                  let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return publicKey.isValidSignature(parsed, for: data)
        case .ed25519(let raw):
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return publicKey.isValidSignature(signature, for: data)
        case .rsa(let n, let e):
            guard let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
            return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: padding)
        }
    }
}
