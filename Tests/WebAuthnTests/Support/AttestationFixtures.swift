import Crypto
import Foundation
import SwiftASN1
import WebAuthn
import X509
import _CryptoExtras
import WebAuthnTestSupport

/// Fixed instants for certificate validity, so that expiry can be tested with the injectable clock.
enum AttestationClock {
    /// The verification time of the tests: 2025-06-15.
    static let now = Date(timeIntervalSince1970: 1_749_945_600)
    /// When the test certificates become valid: 2024-01-01.
    static let issued = Date(timeIntervalSince1970: 1_704_067_200)
    /// When the test certificates stop being valid: 2035-01-01.
    static let expires = Date(timeIntervalSince1970: 2_051_222_400)
}

/// A key that signs attestation statements, of the kinds attestation certificates carry.
enum AttestationKey {
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)
    case rsa(_RSA.Signing.PrivateKey)

    static func makeP256() -> AttestationKey { .p256(P256.Signing.PrivateKey()) }
    static func makeP384() -> AttestationKey { .p384(P384.Signing.PrivateKey()) }
    static func makeEd25519() -> AttestationKey { .ed25519(Curve25519.Signing.PrivateKey()) }
    static func makeRSA() throws -> AttestationKey { .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)) }

    var publicKey: Certificate.PublicKey {
        switch self {
        case .p256(let key): Certificate.PublicKey(key.publicKey)
        case .p384(let key): Certificate.PublicKey(key.publicKey)
        case .ed25519(let key): Certificate.PublicKey(key.publicKey)
        case .rsa(let key): Certificate.PublicKey(key.publicKey)
        }
    }

    /// Signs as an authenticator does: DER ECDSA with SHA-256 (SHA-384 on P-384), raw Ed25519, RSA with SHA-256 and
    /// PKCS #1 v1.5 or, when `pss`, PSS.
    func sign(_ data: [UInt8], pss: Bool = false) throws -> [UInt8] {
        switch self {
        case .p256(let key): Array(try key.signature(for: data).derRepresentation)
        case .p384(let key): Array(try key.signature(for: data).derRepresentation)
        case .ed25519(let key): Array(try key.signature(for: data))
        case .rsa(let key): Array(try key.signature(for: data, padding: pss ? .PSS : .insecurePKCS1v1_5).rawRepresentation)
        }
    }
}

/// What an attestation certificate made for a test looks like; each property defaults to what §8.2.1 asks of a
/// packed attestation certificate, so a test changes only the one it is about.
struct AttestationCertificateProfile {
    var version: Certificate.Version = .v3
    var subject: DistinguishedName = AttestationPKI.packedSubject()
    /// The Basic Constraints extension, or nil to leave it out.
    var basicConstraints: BasicConstraints? = .notCertificateAuthority
    /// The value of the `id-fido-gen-ce-aaguid` extension, or nil to leave it out.
    var aaguid: [UInt8]?
    var aaguidCritical = false
    /// Extensions added as they are (e.g. an unknown critical one).
    var extraExtensions: [Certificate.Extension] = []
    var notValidBefore = AttestationClock.issued
    var notValidAfter = AttestationClock.expires
}

/// A test PKI: a root CA, optionally an intermediate CA, and the attestation certificates they issue.
struct AttestationPKI {
    let rootKey: P256.Signing.PrivateKey
    let root: Certificate

    init(name: String = "Test Attestation Root CA") throws {
        rootKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("US")
            OrganizationName("Test Authenticator Vendor")
            CommonName(name)
        }
        root = try Self.makeCA(subject: subject, key: Certificate.PublicKey(rootKey.publicKey), issuer: subject, issuerKey: rootKey)
    }

    /// The subject §8.2.1 asks for, with any attribute replaced or (as nil) left out.
    static func packedSubject(
        country: String? = "US", organization: String? = "Test Authenticator Vendor",
        organizationalUnit: String? = "Authenticator Attestation", commonName: String? = "Test Authenticator 1"
    ) -> DistinguishedName {
        var attributes: [RelativeDistinguishedName.Attribute] = []
        if let country { attributes.append(try! .init(type: .RDNAttributeType.countryName, printableString: country)) }
        if let organization { attributes.append(.init(type: .RDNAttributeType.organizationName, utf8String: organization)) }
        if let organizationalUnit { attributes.append(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: organizationalUnit)) }
        if let commonName { attributes.append(.init(type: .RDNAttributeType.commonName, utf8String: commonName)) }
        return try! DistinguishedName(attributes)
    }

    /// An intermediate CA issued by the root, with its key.
    func intermediate(name: String = "Test Attestation Intermediate CA") throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("US")
            OrganizationName("Test Authenticator Vendor")
            CommonName(name)
        }
        let certificate = try Self.makeCA(subject: subject, key: Certificate.PublicKey(key.publicKey), issuer: root.subject, issuerKey: rootKey)
        return (certificate, key)
    }

    /// An attestation certificate for `key`, issued by the root or by `issuer`.
    func attestationCertificate(
        for key: AttestationKey, profile: AttestationCertificateProfile = AttestationCertificateProfile(),
        issuer: (certificate: Certificate, key: P256.Signing.PrivateKey)? = nil
    ) throws -> Certificate {
        var extensions: [Certificate.Extension] = []
        if let constraints = profile.basicConstraints {
            extensions.append(try Certificate.Extension(constraints, critical: true))
        }
        if let aaguid = profile.aaguid {
            // The extension value is the DER of an OCTET STRING holding the AAGUID (§8.2.1).
            extensions.append(Certificate.Extension(
                oid: [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4], critical: profile.aaguidCritical, value: ArraySlice([0x04, 0x10] + aaguid)))
        }
        extensions += profile.extraExtensions
        return try Certificate(
            version: profile.version,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: profile.notValidBefore,
            notValidAfter: profile.notValidAfter,
            issuer: issuer?.certificate.subject ?? root.subject,
            subject: profile.subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions),
            issuerPrivateKey: Certificate.PrivateKey(issuer?.key ?? rootKey))
    }

    private static func makeCA(
        subject: DistinguishedName, key: Certificate.PublicKey, issuer: DistinguishedName, issuerKey: P256.Signing.PrivateKey
    ) throws -> Certificate {
        try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key,
            notValidBefore: AttestationClock.issued,
            notValidAfter: AttestationClock.expires,
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }
}

extension Certificate {
    /// The DER encoding, as `x5c` carries it.
    var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(self)
        return serializer.serializedBytes
    }
}

/// Builders for attestation inputs.
enum AttestationFixtures {
    /// A client data hash; the value does not matter, only that the signature covers it.
    static let clientDataHash = Array(SHA256.hash(data: Array(#"{"type":"webauthn.create"}"#.utf8)))
    /// A different client data hash, standing for a signature made in another ceremony.
    static let otherClientDataHash = Array(SHA256.hash(data: Array(#"{"type":"webauthn.create","other":1}"#.utf8)))
    /// A non-zero AAGUID.
    static let aaguid: [UInt8] = [0xcd, 0x8c, 0x39, 0x5c, 0x26, 0xed, 0xee, 0xde, 0x65, 0x3b, 0x00, 0x79, 0x7d, 0x03, 0xca, 0x3c]

    /// A statement map from text keys, in the order given.
    static func statement(_ fields: [(String, CBORValue)]) -> CBORValue {
        CBOREncoding.map(fields.map { (CBORValue.text($0.0), $0.1) })
    }

    /// `x5c` for the given certificates.
    static func x5c(_ certificates: [Certificate]) -> CBORValue {
        .array(certificates.map { .bytes($0.derBytes) })
    }

    static func input(
        statement: CBORValue, authenticatorData: [UInt8], clientDataHash: [UInt8] = clientDataHash,
        trustAnchors: [Certificate] = [], now: Date = AttestationClock.now
    ) throws -> AttestationInput {
        AttestationInput(
            statement: statement, authenticatorData: try AuthenticatorData(authenticatorData), clientDataHash: clientDataHash,
            trustAnchors: trustAnchors, now: now)
    }

    /// The COSE_Key of an Ed25519 public key (EdDSA).
    static func coseKey(ed25519 key: Curve25519.Signing.PublicKey) -> [UInt8] {
        CBOREncoding.encode(CBOREncoding.map([
            (.unsigned(1), .unsigned(1)), (.unsigned(3), CBORValue(-8)), (CBORValue(-1), .unsigned(6)),
            (CBORValue(-2), .bytes(Array(key.rawRepresentation))),
        ]))
    }

    /// Authenticator data with attested credential data holding an arbitrary COSE key, for credentials that
    /// `SoftwareCredential` does not make.
    static func authenticatorData(
        coseKey: [UInt8], aaguid: [UInt8] = [UInt8](repeating: 0, count: 16), credentialID: [UInt8] = Array(0..<16),
        rpID: String = "hospital.example"
    ) -> [UInt8] {
        var bytes = Array(SHA256.hash(data: Array(rpID.utf8)))
        bytes.append(AuthenticatorFlags([.userPresent, .userVerified, .attestedCredentialData]).rawValue)
        bytes += [0, 0, 0, 0]
        bytes += aaguid + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)] + credentialID + coseKey
        return bytes
    }
}
