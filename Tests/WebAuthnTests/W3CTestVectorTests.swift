import Foundation
import SwiftASN1
import Testing
import WebAuthn
import X509

/// The examples of WebAuthn Level 3 §16 "Test Vectors" (`W3CTestVectors`), verified as a relying party would: each
/// registration with `RegistrationVerifier` against its challenge, and the assertion of the same credential with
/// `AuthenticationVerifier` against the credential that registration returned. From each example, the ways the same
/// response must fail are derived: another challenge, origin or RP ID, a changed signature, missing trust anchors.
@Suite("WebAuthn Level 3 §16 test vectors")
struct W3CTestVectorTests {
    typealias Vectors = W3CTestVectors

    /// What a registration example proves about the authenticator.
    enum Trust: Sendable { case none, selfAttestation, certified }

    /// An example and what verifying its registration must return.
    struct Expectation: Sendable, CustomTestStringConvertible {
        let example: W3CTestVectors.Example
        let format: String
        let algorithm: COSEAlgorithm
        let trust: Trust
        /// Whether the ceremonies ran in a cross-origin frame, which the relying party must allow.
        var framed = false

        var testDescription: String { example.title }
    }

    /// The examples this library verifies as they stand.
    static let verifying: [Expectation] = [
        Expectation(example: Vectors.noneES256, format: "none", algorithm: .es256, trust: .none),
        Expectation(example: Vectors.packedSelfES256, format: "packed", algorithm: .es256, trust: .selfAttestation),
        Expectation(example: Vectors.noneES256CrossOrigin, format: "none", algorithm: .es256, trust: .none, framed: true),
        Expectation(example: Vectors.noneES256TopOrigin, format: "none", algorithm: .es256, trust: .none, framed: true),
        Expectation(example: Vectors.noneES256LongCredentialID, format: "none", algorithm: .es256, trust: .none),
        Expectation(example: Vectors.packedES256, format: "packed", algorithm: .es256, trust: .certified),
        Expectation(example: Vectors.packedRS256, format: "packed", algorithm: .rs256, trust: .certified),
        Expectation(example: Vectors.packedEd25519, format: "packed", algorithm: .edDSA, trust: .certified),
        Expectation(example: Vectors.appleES256, format: "apple", algorithm: .es256, trust: .certified),
    ]

    /// The examples whose attestation statement carries a `sig` over the registration.
    static let signedStatements = verifying.filter { $0.format == "packed" }

    /// The examples whose attestation is certified by a chain to `attestation_ca_cert`.
    static let certified = verifying.filter { $0.trust == .certified }

    /// A verification time inside the validity of every certificate of §16 (2024-01-01 to 3024-01-01).
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func caCertificate() throws -> Certificate {
        try Certificate(derEncoded: Vectors.bytes(Vectors.attestationCACert))
    }

    /// The policy of the examples: user verification is not required (their UV flags vary), and `attestation_ca_cert`
    /// is the only trust anchor of every format, or, with `anchors`, those given.
    static func policy(anchors: [Certificate]? = nil, at time: Date = now) throws -> VerificationPolicy {
        let roots = try anchors ?? [caCertificate()]
        return VerificationPolicy(
            requireUserVerification: false,
            trustAnchors: TrustAnchors(Dictionary(uniqueKeysWithValues: AttestationFormats.identifiers.map { ($0, roots) })),
            now: { time })
    }

    /// `example.org` with the origin `https://example.org`; a framed example's relying party also allows framing in
    /// `https://example.com`.
    static func relyingParty(
        _ expected: Expectation, id: String = Vectors.rpID, origin: String = Vectors.origin
    ) -> RelyingParty {
        expected.framed
            ? RelyingParty(id: id, origins: [origin], allowsCrossOrigin: true, topOrigins: [Vectors.topOrigin])
            : RelyingParty(id: id, origins: [origin])
    }

    static func registrationResponse(
        _ registration: W3CTestVectors.Registration, attestationObject: [UInt8]? = nil
    ) -> RegistrationResponseJSON {
        let id = Base64URL.encode(Vectors.bytes(registration.credentialID))
        return RegistrationResponseJSON(id: id, rawId: id, response: AuthenticatorAttestationResponseJSON(
            clientDataJSON: Base64URL.encode(Vectors.bytes(registration.clientDataJSON)),
            attestationObject: Base64URL.encode(attestationObject ?? Vectors.bytes(registration.attestationObject))))
    }

    static func authenticationResponse(_ example: W3CTestVectors.Example, signature: [UInt8]? = nil) -> AuthenticationResponseJSON {
        let id = Base64URL.encode(Vectors.bytes(example.registration.credentialID))
        let authentication = example.authentication
        return AuthenticationResponseJSON(id: id, rawId: id, response: AuthenticatorAssertionResponseJSON(
            clientDataJSON: Base64URL.encode(Vectors.bytes(authentication.clientDataJSON)),
            authenticatorData: Base64URL.encode(Vectors.bytes(authentication.authenticatorData)),
            signature: Base64URL.encode(signature ?? Vectors.bytes(authentication.signature))))
    }

    static func register(
        _ example: W3CTestVectors.Example, challenge: [UInt8]? = nil, relyingParty: RelyingParty,
        policy: VerificationPolicy? = nil, attestationObject: [UInt8]? = nil
    ) async throws -> RegisteredCredential {
        try await RegistrationVerifier.verify(
            registrationResponse(example.registration, attestationObject: attestationObject),
            expectedChallenge: challenge ?? Vectors.bytes(example.registration.challenge), relyingParty: relyingParty,
            policy: policy ?? Self.policy())
    }

    static func register(_ expected: Expectation) async throws -> RegisteredCredential {
        try await register(expected.example, relyingParty: relyingParty(expected))
    }

    /// What the relying party stores from a registration. The examples' assertions carry no user handle.
    static func stored(_ credential: RegisteredCredential, signCount: UInt32? = nil) -> StoredCredential {
        StoredCredential(
            credentialID: credential.credentialID, publicKey: credential.publicKey, signCount: signCount ?? credential.signCount,
            backupEligible: credential.backupEligible, userHandle: [])
    }

    /// The credential as its registration's authenticator data states it, for examples whose attestation statement
    /// is not accepted: their assertions can still be checked against the credential public key.
    static func storedFromAuthenticatorData(_ example: W3CTestVectors.Example) throws -> StoredCredential {
        let object = try CBORDecoder().decode(Vectors.bytes(example.registration.attestationObject))
        let authenticatorData = try AuthenticatorData(try #require(object["authData"]?.bytes))
        let credential = try #require(authenticatorData.attestedCredential)
        return StoredCredential(
            credentialID: credential.credentialID, publicKey: credential.publicKey, signCount: authenticatorData.signCount,
            backupEligible: authenticatorData.flags.contains(.backupEligible), userHandle: [])
    }

    static func authenticate(
        _ example: W3CTestVectors.Example, credential: StoredCredential, challenge: [UInt8]? = nil, relyingParty: RelyingParty,
        signature: [UInt8]? = nil
    ) throws -> VerifiedAssertion {
        try AuthenticationVerifier.verify(
            authenticationResponse(example, signature: signature),
            expectedChallenge: challenge ?? Vectors.bytes(example.authentication.challenge), relyingParty: relyingParty,
            credential: credential, policy: try policy())
    }

    /// The bytes with the last one changed.
    static func flippingLastByte(_ bytes: [UInt8]) -> [UInt8] {
        var changed = bytes
        changed[changed.count - 1] ^= 0x01
        return changed
    }

    /// The attestation object with the last byte of its statement's `sig` changed.
    static func attestationObjectWithChangedSignature(_ example: W3CTestVectors.Example) throws -> [UInt8] {
        let object = Vectors.bytes(example.registration.attestationObject)
        let signature = try #require(try CBORDecoder().decode(object)["attStmt"]?["sig"]?.bytes)
        let start = try #require((0...(object.count - signature.count)).first { Array(object[$0..<$0 + signature.count]) == signature })
        var changed = object
        changed[start + signature.count - 1] ^= 0x01
        return changed
    }

    // MARK: - The examples verify

    @Test("attestation_ca_cert is a CA certificate valid at the verification time")
    func attestationRoot() throws {
        let root = try Self.caCertificate()
        #expect(root.subject == root.issuer)
        #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(root.notValidBefore <= Self.now && Self.now <= root.notValidAfter)
    }

    @Test("each registration example verifies to its credential, algorithm and attestation", arguments: verifying)
    func registration(_ expected: Expectation) async throws {
        let example = expected.example
        let registered = try await Self.register(expected)
        #expect(registered.credentialID == Vectors.bytes(example.registration.credentialID))
        #expect(registered.aaguid == Vectors.bytes(example.registration.aaguid))
        #expect(registered.publicKey.algorithm == expected.algorithm)
        #expect(registered.attestationFormat == expected.format)
        #expect(registered.signCount == 0)
        switch (expected.trust, registered.attestation) {
        case (.none, .none), (.selfAttestation, .selfAttestation):
            break
        case (.certified, .certified(let chain)):
            // The attestation certificate, then the anchor it was validated to.
            let root = try Self.caCertificate()
            #expect(chain.count == 2)
            #expect(chain.last == root)
        default:
            Issue.record("attested as \(registered.attestation), not \(expected.trust)")
        }
    }

    @Test("each authentication example verifies against the credential its registration returned", arguments: verifying)
    func authentication(_ expected: Expectation) async throws {
        let registered = try await Self.register(expected)
        let verified = try Self.authenticate(
            expected.example, credential: Self.stored(registered), relyingParty: Self.relyingParty(expected))
        #expect(verified.credentialID == registered.credentialID)
        // The examples' authenticators keep no signature counter: zero at registration and at every assertion.
        #expect(verified.signCount == 0)
        let flags = try AuthenticatorData(Vectors.bytes(expected.example.authentication.authenticatorData)).flags
        #expect(verified.userVerified == flags.contains(.userVerified))
        #expect(verified.backedUp == flags.contains(.backedUp))
    }

    // MARK: - Algorithms outside the allow-list

    /// The library accepts credential keys of ES256, EdDSA (Ed25519), RS256 and PS256 only (`COSEAlgorithm`), and
    /// refuses any other algorithm as `.unsupportedAlgorithm` when it reads the credential public key. §16 also has
    /// ES384, ES512 and Ed448 credentials: their registrations are refused for that reason, and no credential is
    /// stored to check their assertions against.
    @Test(
        "credentials of ES384, ES512 and Ed448 are refused as unsupported algorithms",
        arguments: [(Vectors.packedES384, -35), (Vectors.packedES512, -36), (Vectors.packedEd448, -53)]
            as [(W3CTestVectors.Example, Int64)])
    func unsupportedAlgorithms(_ example: W3CTestVectors.Example, _ algorithm: Int64) async throws {
        await #expect(throws: WebAuthnError.unsupportedAlgorithm(algorithm)) {
            try await Self.register(example, relyingParty: RelyingParty(id: Vectors.rpID, origins: [Vectors.origin]))
        }
    }

    // MARK: - What the same responses must not pass

    @Test("a registration example is refused for another challenge, origin or RP ID", arguments: verifying)
    func registrationRefusals(_ expected: Expectation) async throws {
        let example = expected.example
        let relyingParty = Self.relyingParty(expected)
        // The assertion's challenge: issued by the same relying party, but not for this registration.
        await #expect(throws: WebAuthnError.challengeMismatch) {
            try await Self.register(example, challenge: Vectors.bytes(example.authentication.challenge), relyingParty: relyingParty)
        }
        await #expect(throws: WebAuthnError.originNotAllowed(Vectors.origin)) {
            try await Self.register(example, relyingParty: Self.relyingParty(expected, origin: "https://login.example.org"))
        }
        await #expect(throws: WebAuthnError.rpIDMismatch) {
            try await Self.register(example, relyingParty: Self.relyingParty(expected, id: "login.example.org"))
        }
    }

    @Test("a registration example whose attestation signature is changed is refused", arguments: signedStatements)
    func changedAttestationSignature(_ expected: Expectation) async throws {
        let changed = try Self.attestationObjectWithChangedSignature(expected.example)
        await #expect(throws: WebAuthnError.badSignature) {
            try await Self.register(expected.example, relyingParty: Self.relyingParty(expected), attestationObject: changed)
        }
    }

    @Test("an authentication example is refused for another challenge, origin or RP ID, or a changed signature", arguments: verifying)
    func authenticationRefusals(_ expected: Expectation) async throws {
        let example = expected.example
        let relyingParty = Self.relyingParty(expected)
        let credential = Self.stored(try await Self.register(expected))
        // The registration's challenge: issued by the same relying party, but not for this assertion.
        #expect(throws: WebAuthnError.challengeMismatch) {
            try Self.authenticate(
                example, credential: credential, challenge: Vectors.bytes(example.registration.challenge), relyingParty: relyingParty)
        }
        #expect(throws: WebAuthnError.originNotAllowed(Vectors.origin)) {
            try Self.authenticate(
                example, credential: credential, relyingParty: Self.relyingParty(expected, origin: "https://login.example.org"))
        }
        #expect(throws: WebAuthnError.rpIDMismatch) {
            try Self.authenticate(example, credential: credential, relyingParty: Self.relyingParty(expected, id: "login.example.org"))
        }
        #expect(throws: WebAuthnError.badSignature) {
            try Self.authenticate(
                example, credential: credential, relyingParty: relyingParty,
                signature: Self.flippingLastByte(Vectors.bytes(example.authentication.signature)))
        }
        // A counter of zero after a stored non-zero one went backwards.
        let counted = Self.stored(try await Self.register(expected), signCount: 5)
        #expect(throws: WebAuthnError.signCountRegression(stored: 5, received: 0)) {
            try Self.authenticate(example, credential: counted, relyingParty: relyingParty)
        }
    }

    @Test("the framed examples are refused unless the relying party allows framing in their top-level origin")
    func framedExamples() async throws {
        let plain = RelyingParty(id: Vectors.rpID, origins: [Vectors.origin])
        let framedAnywhere = RelyingParty(id: Vectors.rpID, origins: [Vectors.origin], allowsCrossOrigin: true)
        for example in [Vectors.noneES256CrossOrigin, Vectors.noneES256TopOrigin] {
            await #expect(throws: WebAuthnError.crossOriginNotAllowed) { try await Self.register(example, relyingParty: plain) }
        }
        await #expect(throws: WebAuthnError.topOriginNotAllowed(Vectors.topOrigin)) {
            try await Self.register(Vectors.noneES256TopOrigin, relyingParty: framedAnywhere)
        }
        let crossOrigin = Expectation(example: Vectors.noneES256CrossOrigin, format: "none", algorithm: .es256, trust: .none, framed: true)
        let topOrigin = Expectation(example: Vectors.noneES256TopOrigin, format: "none", algorithm: .es256, trust: .none, framed: true)
        let crossOriginCredential = Self.stored(try await Self.register(crossOrigin))
        let topOriginCredential = Self.stored(try await Self.register(topOrigin))
        #expect(throws: WebAuthnError.crossOriginNotAllowed) {
            try Self.authenticate(crossOrigin.example, credential: crossOriginCredential, relyingParty: plain)
        }
        #expect(throws: WebAuthnError.crossOriginNotAllowed) {
            try Self.authenticate(topOrigin.example, credential: topOriginCredential, relyingParty: plain)
        }
        #expect(throws: WebAuthnError.topOriginNotAllowed(Vectors.topOrigin)) {
            try Self.authenticate(topOrigin.example, credential: topOriginCredential, relyingParty: framedAnywhere)
        }
    }

    // MARK: - Trust anchors

    /// Expects the registration of `expected` to be refused as not trusted, for its own format.
    static func expectNotTrusted(
        _ expected: Expectation, policy: VerificationPolicy, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let error = await #expect(throws: WebAuthnError.self, sourceLocation: sourceLocation) {
            try await register(expected.example, relyingParty: relyingParty(expected), policy: policy)
        }
        guard case .attestationNotTrusted(let format, _)? = error else {
            Issue.record("expected attestationNotTrusted, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(format == expected.format, sourceLocation: sourceLocation)
    }

    @Test("certified attestation is refused without attestation_ca_cert as trust anchor", arguments: certified)
    func certifiedWithoutAnchor(_ expected: Expectation) async throws {
        // No anchors at all for the format.
        let error = await #expect(throws: WebAuthnError.self) {
            try await Self.register(expected.example, relyingParty: Self.relyingParty(expected), policy: try Self.policy(anchors: []))
        }
        #expect(error == .attestationNotTrusted(format: expected.format, "no trust anchors are configured for this format"))
        // Another root, which did not issue the attestation certificate.
        await Self.expectNotTrusted(expected, policy: try Self.policy(anchors: [try AttestationPKI().root]))
        // The right root, before its certificates were valid.
        await Self.expectNotTrusted(expected, policy: try Self.policy(at: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    @Test("self and none attestation need no trust anchor")
    func uncertifiedWithoutAnchor() async throws {
        for expected in Self.verifying where expected.trust != .certified {
            let registered = try await Self.register(
                expected.example, relyingParty: Self.relyingParty(expected), policy: try Self.policy(anchors: []))
            #expect(registered.credentialID == Vectors.bytes(expected.example.registration.credentialID))
        }
    }

    // MARK: - Examples the library does not accept as they stand

    /// §8.4 requires the key description's authorization lists to show a key generated in the keystore
    /// (`origin` is `KM_ORIGIN_GENERATED`) for signing (`purpose` is `KM_PURPOSE_SIGN`). The key description of the
    /// android-key example has empty `softwareEnforced` and `teeEnforced` lists, so its registration is refused at
    /// that step, as §8.4 has it. Its assertion still verifies with the credential public key.
    @Test("the android-key example is refused: its key description has no origin or purpose")
    func androidKey() async throws {
        let example = Vectors.androidKeyES256
        let relyingParty = RelyingParty(id: Vectors.rpID, origins: [Vectors.origin])
        await #expect(throws: WebAuthnError.attestation(format: "android-key", "the key's origin is not KM_ORIGIN_GENERATED")) {
            try await Self.register(example, relyingParty: relyingParty)
        }
        let verified = try Self.authenticate(example, credential: try Self.storedFromAuthenticatorData(example), relyingParty: relyingParty)
        #expect(verified.credentialID == Vectors.bytes(example.registration.credentialID) && verified.signCount == 0)
    }

    /// Verifies the registration of `example` expecting a chain to `attestation_ca_cert`, and its assertion against
    /// the credential public key its authenticator data states.
    static func expectCertified(
        _ example: W3CTestVectors.Example, format: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let relyingParty = RelyingParty(id: Vectors.rpID, origins: [Vectors.origin])
        let registered = try await register(example, relyingParty: relyingParty)
        #expect(registered.credentialID == Vectors.bytes(example.registration.credentialID), sourceLocation: sourceLocation)
        #expect(registered.attestationFormat == format, sourceLocation: sourceLocation)
        guard case .certified(let chain) = registered.attestation else {
            Issue.record("attested as \(registered.attestation), not certified", sourceLocation: sourceLocation)
            return
        }
        let root = try caCertificate()
        #expect(chain.count == 2 && chain.last == root, sourceLocation: sourceLocation)
        let credential = try storedFromAuthenticatorData(example)
        let verified = try authenticate(example, credential: credential, relyingParty: relyingParty)
        #expect(verified.credentialID == Vectors.bytes(example.registration.credentialID), sourceLocation: sourceLocation)
        #expect(verified.signCount == 0, sourceLocation: sourceLocation)
        #expect(throws: WebAuthnError.badSignature, sourceLocation: sourceLocation) {
            try authenticate(
                example, credential: credential, relyingParty: relyingParty,
                signature: flippingLastByte(Vectors.bytes(example.authentication.signature)))
        }
    }

    /// The fido-u2f example's authenticator data carries a random AAGUID; §8.6's verification procedure does not
    /// look at the AAGUID, and neither does the library.
    @Test("the fido-u2f example verifies as certified, and its assertion against its credential")
    func fidoU2F() async throws {
        try await Self.expectCertified(Vectors.fidoU2FES256, format: "fido-u2f")
    }

    /// The TPM example's `certInfo` has a `clockInfo` of clock 0, resetCount 0x11111111, restartCount 0x22222222 and
    /// safe 0x33, which is not a TPMI_YES_NO value. §8.3 ignores `clockInfo` ("the remaining fields in the Standard
    /// Attestation Structure, i.e., qualifiedSigner, clockInfo and firmwareVersion are ignored"), so the example
    /// verifies as certified by `attestation_ca_cert`.
    @Test("the tpm example verifies as certified, and its assertion against its credential")
    func tpm() async throws {
        try await Self.expectCertified(Vectors.tpmES256, format: "tpm")
    }
}
