import Crypto
import Foundation
import SwiftASN1
import Testing
import WebAuthn
import X509
import _CryptoExtras
import WebAuthnTestSupport

/// Certificates and statements for the `tpm`, `android-key` and `apple` formats, made in the test: certificate
/// authorities, leaf certificates carrying the formats' extensions (encoded with SwiftASN1), and TPM structures
/// written byte by byte.
enum PlatformFixtures {
    /// The verification time every fixture is valid at.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let day: TimeInterval = 86_400
    static let clientDataHash = Array(SHA256.hash(data: Array(#"{"type":"webauthn.create","challenge":"AAAA"}"#.utf8)))

    /// RSA keys are slow to make, so the tests share these.
    static let aikKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let rsaCredentialKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// A certificate authority: its key and certificate.
    struct Authority {
        let key: P256.Signing.PrivateKey
        let certificate: Certificate

        /// A self-signed root.
        static func root(_ commonName: String, notValidAfter: Date = now + 3650 * day) throws -> Authority {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName { CommonName(commonName); OrganizationName("Test Attestation CA") }
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now - 365 * day, notValidAfter: notValidAfter, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions([
                    try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true),
                    try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
                ]),
                issuerPrivateKey: .init(key))
            return Authority(key: key, certificate: certificate)
        }

        /// A CA certificate issued by this one.
        func intermediate(_ commonName: String) throws -> Authority {
            let key = P256.Signing.PrivateKey()
            let certificate = try issue(
                publicKey: .init(key.publicKey),
                subject: try DistinguishedName { CommonName(commonName); OrganizationName("Test Attestation CA") },
                extensions: [
                    try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: 0), critical: true),
                    try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
                ])
            return Authority(key: key, certificate: certificate)
        }

        /// An end-entity certificate issued by this authority.
        func issue(
            publicKey: Certificate.PublicKey, subject: DistinguishedName, extensions: [Certificate.Extension],
            notValidBefore: Date = now - 30 * day, notValidAfter: Date = now + 365 * day
        ) throws -> Certificate {
            try Certificate(
                version: .v3, serialNumber: .init(), publicKey: publicKey, notValidBefore: notValidBefore,
                notValidAfter: notValidAfter, issuer: certificate.subject, subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: try Certificate.Extensions(extensions),
                issuerPrivateKey: .init(key))
        }
    }

    /// A root, an intermediate under it, and the x5c tail (the intermediate) leaves are sent with.
    struct Hierarchy {
        let root: Authority
        let intermediate: Authority

        init(_ label: String) throws {
            root = try Authority.root("\(label) Root")
            intermediate = try root.intermediate("\(label) Intermediate")
        }
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Registration authenticator data for a credential with the given COSE key.
    static func authenticatorData(coseKey: [UInt8], aaguid: [UInt8] = Array(1...16), credentialID: [UInt8] = Array(0..<16)) -> [UInt8] {
        var bytes = Array(SHA256.hash(data: Array("hospital.example".utf8)))
        bytes.append(AuthenticatorFlags([.userPresent, .userVerified, .attestedCredentialData]).rawValue)
        bytes += [0, 0, 0, 0]
        bytes += aaguid + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)] + credentialID + coseKey
        return bytes
    }

    /// The COSE_Key of an RSA public key for RS256.
    static func rsaCOSEKey(_ key: _RSA.Signing.PublicKey) throws -> [UInt8] {
        let primitives = try key.getKeyPrimitives()
        return CBOREncoding.encode(CBOREncoding.map([
            (.unsigned(1), .unsigned(3)), (.unsigned(3), CBORValue(-257)),
            (CBORValue(-1), .bytes(Array(primitives.modulus))), (CBORValue(-2), .bytes(Array(primitives.publicExponent))),
        ]))
    }

    static func input(
        statement: CBORValue, authenticatorData: [UInt8], clientDataHash: [UInt8] = clientDataHash,
        anchors: [Certificate], now: Date = now
    ) throws -> AttestationInput {
        AttestationInput(
            statement: statement, authenticatorData: try AuthenticatorData(authenticatorData), clientDataHash: clientDataHash,
            trustAnchors: anchors, now: now)
    }

    /// A statement map from text keys, in the given order.
    static func statement(_ fields: [(String, CBORValue)]) -> CBORValue {
        CBOREncoding.map(fields.map { (CBORValue.text($0.0), $0.1) })
    }

    static func x5c(_ certificates: [Certificate]) throws -> CBORValue {
        .array(try certificates.map { .bytes(try der($0)) })
    }
}

/// Expects `body` to fail as `.attestationNotTrusted` for `format`, for a reason starting with `reason`: the text
/// comes from `AttestationCertificates.validateChain`, which may append the certificate verifier's own explanation.
func expectNotTrusted(
    _ reason: String, format: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> AttestationTrust
) async {
    do {
        let trust = try await body()
        Issue.record("expected .attestationNotTrusted, got \(trust)", sourceLocation: sourceLocation)
    } catch {
        guard case .attestationNotTrusted(let found, let why) = error as? WebAuthnError, found == format else {
            Issue.record("expected .attestationNotTrusted(\(format)), got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(why.hasPrefix(reason), "\(why)", sourceLocation: sourceLocation)
    }
}

// MARK: - TPM

/// TPM 2.0 structures written by the test, as a TPM would produce them.
/// A fixture that builds one attestation input.
protocol AttestationInputFixture {
    func input() throws -> AttestationInput
}

extension AttestationInputFixture {
    /// Runs `verify` on the fixture's input; a fixture that cannot be built is recorded as an issue of the test.
    func verified(
        _ verify: (AttestationInput) async throws(WebAuthnError) -> AttestationTrust
    ) async throws(WebAuthnError) -> AttestationTrust {
        let input: AttestationInput
        do {
            input = try self.input()
        } catch {
            Issue.record("the fixture could not be built: \(error)")
            return .none
        }
        return try await verify(input)
    }
}

enum TPMBytes {
    static let algRSA: UInt16 = 0x0001, algSHA256: UInt16 = 0x000B, algNull: UInt16 = 0x0010, algECC: UInt16 = 0x0023
    static let generatedValue: UInt32 = 0xff54_4347
    static let attestCertify: UInt16 = 0x8017
    /// fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, noDA, sign: a TPM-resident signing key.
    static let signingKeyAttributes: UInt32 = 0x0006_0472

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    /// A TPM2B buffer: two-byte size, then the bytes.
    static func sized(_ bytes: [UInt8]) -> [UInt8] { u16(UInt16(bytes.count)) + bytes }

    /// TPMT_PUBLIC of an ECC key on `curve` (P-256 is 0x0003) with NULL symmetric, scheme and KDF.
    static func eccPublicArea(x: [UInt8], y: [UInt8], curve: UInt16 = 0x0003, nameAlg: UInt16 = algSHA256) -> [UInt8] {
        u16(algECC) + u16(nameAlg) + u32(signingKeyAttributes) + sized([])
            + u16(algNull) + u16(algNull) + u16(curve) + u16(algNull) + sized(x) + sized(y)
    }

    /// TPMT_PUBLIC of an RSA key with NULL symmetric and scheme; an exponent of 0 means 65537.
    static func rsaPublicArea(modulus: [UInt8], exponent: UInt32 = 0, nameAlg: UInt16 = algSHA256) -> [UInt8] {
        u16(algRSA) + u16(nameAlg) + u32(signingKeyAttributes) + sized([])
            + u16(algNull) + u16(algNull) + u16(UInt16(modulus.count * 8)) + u32(exponent) + sized(modulus)
    }

    /// The Name of a public area with nameAlg SHA-256.
    static func name(of publicArea: [UInt8]) -> [UInt8] {
        u16(algSHA256) + Array(SHA256.hash(data: publicArea))
    }

    /// TPMS_ATTEST with a TPMS_CERTIFY_INFO.
    static func certifyInfo(magic: UInt32 = generatedValue, type: UInt16 = attestCertify, extraData: [UInt8], name: [UInt8]) -> [UInt8] {
        u32(magic) + u16(type)
            + sized(u16(algSHA256) + Array(repeating: 0x51, count: 32))            // qualifiedSigner
            + sized(extraData)
            + u64(123_456_789) + u32(7) + u32(2) + [1]                              // clockInfo
            + u64(0x0001_0002_0003_0004)                                           // firmwareVersion
            + sized(name)
            + sized(u16(algSHA256) + Array(repeating: 0x52, count: 32))            // qualifiedName
    }
}

/// A `tpm` statement with every part open to change; `verify()` builds and verifies it as it stands.
struct TPMFixture: AttestationInputFixture {
    enum CredentialKind { case ecc, rsa }

    static let manufacturer: ASN1ObjectIdentifier = [2, 23, 133, 2, 1]
    static let model: ASN1ObjectIdentifier = [2, 23, 133, 2, 2]
    static let version: ASN1ObjectIdentifier = [2, 23, 133, 2, 3]
    static let aikUsage: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
    static let aaguid: [UInt8] = Array(1...16)

    let hierarchy: PlatformFixtures.Hierarchy
    var authenticatorData: [UInt8]
    var clientDataHash = PlatformFixtures.clientDataHash
    var pubArea: [UInt8]
    var certInfo: [UInt8]
    var alg: Int64 = -257
    var signature: [UInt8]?
    var x5c: [Certificate]
    var anchors: [Certificate]
    var now = PlatformFixtures.now
    var extraFields: [(String, CBORValue)] = []
    var ver: CBORValue? = .text("2.0")

    init(credential: CredentialKind = .ecc, aikSubject: DistinguishedName = DistinguishedName(), aikExtensions: [Certificate.Extension]? = nil) throws {
        hierarchy = try PlatformFixtures.Hierarchy("TPM Manufacturer")
        switch credential {
        case .ecc:
            let credential = SoftwareCredential(aaguid: Self.aaguid)
            authenticatorData = credential.authenticatorData()
            let point = Array(credential.privateKey.publicKey.x963Representation)
            pubArea = TPMBytes.eccPublicArea(x: Array(point[1...32]), y: Array(point[33...64]))
        case .rsa:
            let key = PlatformFixtures.rsaCredentialKey.publicKey
            authenticatorData = PlatformFixtures.authenticatorData(coseKey: try PlatformFixtures.rsaCOSEKey(key), aaguid: Self.aaguid)
            pubArea = TPMBytes.rsaPublicArea(modulus: Array(try key.getKeyPrimitives().modulus))
        }
        certInfo = []
        x5c = []
        anchors = [hierarchy.root.certificate]
        certInfo = certifyInfo()
        let aik = try hierarchy.intermediate.issue(
            publicKey: .init(PlatformFixtures.aikKey.publicKey), subject: aikSubject,
            extensions: try aikExtensions ?? Self.aikExtensions())
        x5c = [aik, hierarchy.intermediate.certificate]
    }

    /// certInfo for the current authenticator data, client data hash and pubArea, with the given overrides.
    func certifyInfo(magic: UInt32 = TPMBytes.generatedValue, type: UInt16 = TPMBytes.attestCertify, extraData: [UInt8]? = nil, name: [UInt8]? = nil) -> [UInt8] {
        TPMBytes.certifyInfo(
            magic: magic, type: type, extraData: extraData ?? Array(SHA256.hash(data: authenticatorData + clientDataHash)),
            name: name ?? TPMBytes.name(of: pubArea))
    }

    /// The extensions of a conforming AIK certificate; each argument breaks or adds one.
    static func aikExtensions(
        sanCritical: Bool = true, sanAttributes: [(ASN1ObjectIdentifier, String)]? = nil, usages: [ASN1ObjectIdentifier] = [aikUsage],
        basicConstraints: BasicConstraints? = .notCertificateAuthority, aaguid: [UInt8]? = nil
    ) throws -> [Certificate.Extension] {
        let attributes = sanAttributes ?? [(manufacturer, "id:4E544300"), (model, "NPCT75x"), (version, "id:0007")]
        // One multi-valued RDN, as TPM makers write it.
        let directoryName = DistinguishedName([
            RelativeDistinguishedName(attributes.map { RelativeDistinguishedName.Attribute(type: $0.0, utf8String: $0.1) })
        ])
        var extensions = [try Certificate.Extension(SubjectAlternativeNames([.directoryName(directoryName)]), critical: sanCritical)]
        if !usages.isEmpty {
            extensions.append(try Certificate.Extension(ExtendedKeyUsage(usages.map { ExtendedKeyUsage.Usage(oid: $0) }), critical: false))
        }
        if let basicConstraints { extensions.append(try Certificate.Extension(basicConstraints, critical: true)) }
        if let aaguid {
            var serializer = DER.Serializer()
            try serializer.serialize(ASN1OctetString(contentBytes: aaguid[...]))
            extensions.append(Certificate.Extension(oid: aaguidExtension, critical: false, value: serializer.serializedBytes[...]))
        }
        return extensions
    }

    var statement: CBORValue {
        get throws {
            let signature = try self.signature ?? Array(PlatformFixtures.aikKey.signature(for: certInfo, padding: .insecurePKCS1v1_5).rawRepresentation)
            var fields: [(String, CBORValue)] = []
            if let ver { fields.append(("ver", ver)) }
            fields += [
                ("alg", CBORValue(alg)), ("x5c", try PlatformFixtures.x5c(x5c)), ("sig", .bytes(signature)),
                ("certInfo", .bytes(certInfo)), ("pubArea", .bytes(pubArea)),
            ]
            return PlatformFixtures.statement(fields + extraFields)
        }
    }

    func input() throws -> AttestationInput {
        try PlatformFixtures.input(
            statement: statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash, anchors: anchors, now: now)
    }

    func verify() async throws(WebAuthnError) -> AttestationTrust {
        try await verified { input async throws(WebAuthnError) in try await TPMAttestation.verify(input) }
    }
}

// MARK: - Android key

/// The fields of an AuthorizationList a test sets.
struct AuthorizationListSpec {
    var purposes: [Int]?
    var algorithm: Int? = 3
    var keySize: Int? = 256
    var allApplications = false
    var origin: Int?
    /// Raw elements appended after the others, to write what an encoder would not.
    var rawElements: [[UInt8]] = []
}

/// Encodes the Android `KeyDescription` as KeyMint does.
enum KeyDescriptionBytes {
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    static func encode(challenge: [UInt8], softwareEnforced: AuthorizationListSpec, teeEnforced: AuthorizationListSpec) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(300)                                   // attestationVersion
            try 1.serialize(into: &coder, withIdentifier: .enumerated) // attestationSecurityLevel: TrustedEnvironment
            try coder.serialize(300)                                   // keyMintVersion
            try 1.serialize(into: &coder, withIdentifier: .enumerated) // keyMintSecurityLevel
            try coder.serialize(ASN1OctetString(contentBytes: challenge[...]))
            try coder.serialize(ASN1OctetString(contentBytes: []))     // uniqueId
            try authorizationList(softwareEnforced, into: &coder)
            try authorizationList(teeEnforced, into: &coder)
        }
        return serializer.serializedBytes
    }

    static func authorizationList(_ spec: AuthorizationListSpec, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            if let purposes = spec.purposes {
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .set) { coder in
                        for purpose in purposes.sorted() { try coder.serialize(purpose) }
                    }
                }
            }
            if let algorithm = spec.algorithm { try coder.serialize(algorithm, explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) }
            if let keySize = spec.keySize { try coder.serialize(keySize, explicitlyTaggedWithTagNumber: 3, tagClass: .contextSpecific) }
            if spec.allApplications { try coder.serialize(ASN1Null(), explicitlyTaggedWithTagNumber: 600, tagClass: .contextSpecific) }
            if let origin = spec.origin { try coder.serialize(origin, explicitlyTaggedWithTagNumber: 702, tagClass: .contextSpecific) }
            for raw in spec.rawElements { coder.serializeRawBytes(raw) }
        }
    }
}

/// An `android-key` statement with every part open to change; `verify()` builds and verifies it as it stands.
struct AndroidKeyFixture: AttestationInputFixture {
    let hierarchy: PlatformFixtures.Hierarchy
    let credential = SoftwareCredential()
    var authenticatorData: [UInt8]
    var clientDataHash = PlatformFixtures.clientDataHash
    var challenge = PlatformFixtures.clientDataHash
    var softwareEnforced = AuthorizationListSpec(algorithm: nil, keySize: nil)
    var teeEnforced = AuthorizationListSpec(purposes: [2], origin: 0)
    /// The extension's value when set, instead of the encoded KeyDescription.
    var extensionValue: [UInt8]?
    var includesExtension = true
    /// The leaf's key when set, instead of the credential's, with the key that signs.
    var leafKey: P256.Signing.PrivateKey?
    var alg: Int64 = -7
    var signature: [UInt8]?
    var anchors: [Certificate]
    var now = PlatformFixtures.now
    var leafNotValidAfter = PlatformFixtures.now + 365 * PlatformFixtures.day
    var requireTrustedExecutionEnvironment = false

    init() throws {
        hierarchy = try PlatformFixtures.Hierarchy("Android Keystore")
        authenticatorData = credential.authenticatorData()
        anchors = [hierarchy.root.certificate]
    }

    var keyDescription: [UInt8] {
        get throws {
            try extensionValue ?? KeyDescriptionBytes.encode(challenge: challenge, softwareEnforced: softwareEnforced, teeEnforced: teeEnforced)
        }
    }

    var leaf: Certificate {
        get throws {
            let publicKey = leafKey.map { Certificate.PublicKey($0.publicKey) } ?? Certificate.PublicKey(credential.privateKey.publicKey)
            var extensions = [try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true)]
            if includesExtension {
                extensions.append(Certificate.Extension(oid: KeyDescriptionBytes.oid, critical: false, value: try keyDescription[...]))
            }
            return try hierarchy.intermediate.issue(
                publicKey: publicKey, subject: try DistinguishedName { CommonName("Android Keystore Key") }, extensions: extensions,
                notValidAfter: leafNotValidAfter)
        }
    }

    func input() throws -> AttestationInput {
        let signed = authenticatorData + clientDataHash
        let signature = try self.signature ?? leafKey.map { Array(try $0.signature(for: signed).derRepresentation) } ?? credential.sign(signed)
        let statement = PlatformFixtures.statement([
            ("alg", CBORValue(alg)), ("sig", .bytes(signature)),
            ("x5c", try PlatformFixtures.x5c([leaf, hierarchy.intermediate.certificate])),
        ])
        return try PlatformFixtures.input(
            statement: statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash, anchors: anchors, now: now)
    }

    func verify() async throws(WebAuthnError) -> AttestationTrust {
        try await verified { input async throws(WebAuthnError) in
            try await AndroidKeyAttestation.verify(input, requireTrustedExecutionEnvironment: requireTrustedExecutionEnvironment)
        }
    }
}

// MARK: - Apple

/// An `apple` statement with every part open to change; `verify()` builds and verifies it as it stands.
struct AppleFixture: AttestationInputFixture {
    static let nonceExtension: ASN1ObjectIdentifier = [1, 2, 840, 113635, 100, 8, 2]

    let hierarchy: PlatformFixtures.Hierarchy
    let credential = SoftwareCredential()
    var authenticatorData: [UInt8]
    var clientDataHash = PlatformFixtures.clientDataHash
    /// The nonce written into the certificate; by default SHA-256(authenticatorData || clientDataHash) as built.
    var nonce: [UInt8]?
    /// The extension's value when set, instead of the encoded nonce.
    var extensionValue: [UInt8]?
    var includesExtension = true
    var leafPublicKey: Certificate.PublicKey?
    var anchors: [Certificate]
    var now = PlatformFixtures.now
    var leafNotValidAfter = PlatformFixtures.now + 365 * PlatformFixtures.day
    var extraFields: [(String, CBORValue)] = []

    init() throws {
        hierarchy = try PlatformFixtures.Hierarchy("Apple WebAuthn")
        authenticatorData = credential.authenticatorData()
        anchors = [hierarchy.root.certificate]
    }

    /// `SEQUENCE { nonce [1] EXPLICIT OCTET STRING }`.
    static func encodeNonce(_ nonce: [UInt8]) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1OctetString(contentBytes: nonce[...]), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        }
        return serializer.serializedBytes
    }

    var leaf: Certificate {
        get throws {
            let nonce = self.nonce ?? Array(SHA256.hash(data: authenticatorData + clientDataHash))
            var extensions: [Certificate.Extension] = []
            if includesExtension {
                extensions.append(Certificate.Extension(
                    oid: Self.nonceExtension, critical: false, value: try (extensionValue ?? Self.encodeNonce(nonce))[...]))
            }
            return try hierarchy.intermediate.issue(
                publicKey: leafPublicKey ?? Certificate.PublicKey(credential.privateKey.publicKey),
                subject: try DistinguishedName { CommonName("credential"); OrganizationName("Apple Inc.") }, extensions: extensions,
                notValidAfter: leafNotValidAfter)
        }
    }

    func input() throws -> AttestationInput {
        let statement = PlatformFixtures.statement([("x5c", try PlatformFixtures.x5c([leaf, hierarchy.intermediate.certificate]))] + extraFields)
        return try PlatformFixtures.input(
            statement: statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash, anchors: anchors, now: now)
    }

    func verify() async throws(WebAuthnError) -> AttestationTrust {
        try await verified { input async throws(WebAuthnError) in try await AppleAttestation.verify(input) }
    }
}
