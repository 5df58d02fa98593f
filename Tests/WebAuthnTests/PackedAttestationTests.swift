import Crypto
import Foundation
import SwiftASN1
import Testing
import WebAuthn
import X509
import WebAuthnTestSupport

@Suite("packed attestation (§8.2)")
struct PackedAttestationTests {
    let credential = SoftwareCredential(aaguid: AttestationFixtures.aaguid)
    let pki: AttestationPKI
    let attestationKey = AttestationKey.makeP256()

    init() throws {
        pki = try AttestationPKI()
    }

    var authenticatorData: [UInt8] { credential.authenticatorData() }
    /// What a packed signature covers: the authenticator data, then the client data hash.
    var signedData: [UInt8] { authenticatorData + AttestationFixtures.clientDataHash }

    func selfStatement(alg: Int64 = -7, sig: [UInt8]? = nil) -> CBORValue {
        AttestationFixtures.statement([("alg", CBORValue(alg)), ("sig", .bytes(sig ?? credential.sign(signedData)))])
    }

    func x5cStatement(_ certificates: [Certificate], key: AttestationKey? = nil, alg: Int64 = -7, sig: [UInt8]? = nil) throws -> CBORValue {
        let signature = try sig ?? (key ?? attestationKey).sign(signedData)
        return AttestationFixtures.statement([
            ("alg", CBORValue(alg)), ("sig", .bytes(signature)), ("x5c", AttestationFixtures.x5c(certificates)),
        ])
    }

    func certificate(_ profile: AttestationCertificateProfile = AttestationCertificateProfile()) throws -> Certificate {
        try pki.attestationCertificate(for: attestationKey, profile: profile)
    }

    func verify(
        _ statement: CBORValue, anchors: [Certificate]? = nil, now: Date = AttestationClock.now,
        clientDataHash: [UInt8] = AttestationFixtures.clientDataHash
    ) async throws -> AttestationTrust {
        try await PackedAttestation.verify(AttestationFixtures.input(
            statement: statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash,
            trustAnchors: anchors ?? [pki.root], now: now))
    }

    func failure(_ text: String) -> WebAuthnError { .attestation(format: "packed", text) }

    // MARK: Self attestation

    @Test("A statement signed by the credential key verifies as self attestation")
    func selfAttestationVerifies() async throws {
        #expect(try await verify(selfStatement(), anchors: []) == .selfAttestation)
    }

    @Test("A self attestation by an Ed25519 credential verifies")
    func selfAttestationWithEd25519Verifies() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let authenticatorData = AttestationFixtures.authenticatorData(coseKey: AttestationFixtures.coseKey(ed25519: key.publicKey))
        let signature = Array(try key.signature(for: authenticatorData + AttestationFixtures.clientDataHash))
        let statement = AttestationFixtures.statement([("alg", CBORValue(-8)), ("sig", .bytes(signature))])
        let input = try AttestationFixtures.input(statement: statement, authenticatorData: authenticatorData)
        #expect(try await PackedAttestation.verify(input) == .selfAttestation)
    }

    @Test("A self attestation signed by another key is refused")
    func selfAttestationWithWrongSignatureIsRefused() async throws {
        let signature = SoftwareCredential().sign(signedData)
        await #expect(throws: WebAuthnError.badSignature) { try await verify(selfStatement(sig: signature)) }
    }

    @Test("A self attestation signed over another client data hash is refused")
    func selfAttestationOverOtherDataIsRefused() async throws {
        await #expect(throws: WebAuthnError.badSignature) {
            try await verify(selfStatement(), clientDataHash: AttestationFixtures.otherClientDataHash)
        }
    }

    @Test("A self attestation whose alg is not the credential key's is refused")
    func selfAttestationWithMismatchedAlgIsRefused() async throws {
        await #expect(throws: failure("alg does not match the algorithm of the credential public key")) {
            try await verify(selfStatement(alg: -8))
        }
    }

    @Test("An alg outside the accepted algorithms is refused")
    func unsupportedAlgIsRefused() async throws {
        await #expect(throws: WebAuthnError.unsupportedAlgorithm(-47)) { try await verify(selfStatement(alg: -47)) }
    }

    // MARK: Statement syntax

    @Test("A statement without sig is refused")
    func missingSignatureIsRefused() async throws {
        let statement = AttestationFixtures.statement([("alg", CBORValue(-7))])
        await #expect(throws: failure("attStmt has no sig")) { try await verify(statement) }
    }

    @Test("A statement without alg is refused")
    func missingAlgIsRefused() async throws {
        let statement = AttestationFixtures.statement([("sig", .bytes(credential.sign(signedData)))])
        await #expect(throws: failure("attStmt has no alg")) { try await verify(statement) }
    }

    @Test("A statement with a field the format does not define is refused")
    func extraFieldIsRefused() async throws {
        let statement = AttestationFixtures.statement([
            ("alg", CBORValue(-7)), ("sig", .bytes(credential.sign(signedData))), ("ver", .text("2.0")),
        ])
        await #expect(throws: failure("attStmt has a field ver that the format does not define")) { try await verify(statement) }
    }

    @Test("An ECDAA statement is refused")
    func ecdaaIsRefused() async throws {
        let statement = AttestationFixtures.statement([
            ("alg", CBORValue(-260)), ("sig", .bytes([1, 2, 3])), ("ecdaaKeyId", .bytes([UInt8](repeating: 7, count: 32))),
        ])
        await #expect(throws: failure("ECDAA attestation (ecdaaKeyId) is not supported")) { try await verify(statement) }
    }

    @Test("A sig that is not a byte string is refused")
    func signatureOfWrongTypeIsRefused() async throws {
        let statement = AttestationFixtures.statement([("alg", CBORValue(-7)), ("sig", .text("signature"))])
        await #expect(throws: failure("sig is not a byte string")) { try await verify(statement) }
    }

    @Test("An empty x5c is refused")
    func emptyX5CIsRefused() async throws {
        let statement = AttestationFixtures.statement([
            ("alg", CBORValue(-7)), ("sig", .bytes(try attestationKey.sign(signedData))), ("x5c", .array([])),
        ])
        await #expect(throws: failure("x5c is empty")) { try await verify(statement) }
    }

    @Test("An x5c entry that is not a certificate is refused")
    func malformedCertificateIsRefused() async throws {
        let statement = AttestationFixtures.statement([
            ("alg", CBORValue(-7)), ("sig", .bytes(try attestationKey.sign(signedData))), ("x5c", .array([.bytes([0x30, 0x03, 0x02, 0x01, 0x01])])),
        ])
        await #expect(throws: failure("x5c[0] is not a DER X.509 certificate")) { try await verify(statement) }
    }

    // MARK: Attestation certificate (x5c)

    @Test("A statement whose certificate chains to the anchor verifies as certified")
    func certifiedAttestationVerifies() async throws {
        let leaf = try certificate(AttestationCertificateProfile(aaguid: AttestationFixtures.aaguid))
        #expect(try await verify(x5cStatement([leaf])) == .certified(chain: [leaf, pki.root]))
    }

    @Test("A certificate without the AAGUID extension is accepted")
    func certificateWithoutAAGUIDExtensionVerifies() async throws {
        let leaf = try certificate()
        #expect(try await verify(x5cStatement([leaf])) == .certified(chain: [leaf, pki.root]))
    }

    @Test("A chain through an intermediate CA verifies with the whole path")
    func chainThroughIntermediateVerifies() async throws {
        let intermediate = try pki.intermediate()
        let leaf = try pki.attestationCertificate(for: attestationKey, issuer: intermediate)
        #expect(try await verify(x5cStatement([leaf, intermediate.certificate])) == .certified(chain: [leaf, intermediate.certificate, pki.root]))
    }

    @Test("A chain through an intermediate CA that x5c leaves out is not trusted")
    func chainMissingIntermediateIsNotTrusted() async throws {
        let leaf = try pki.attestationCertificate(for: attestationKey, issuer: try pki.intermediate())
        try await expectAttestationNotTrusted("x5c does not chain to a trust anchor") { try await verify(x5cStatement([leaf])) }
    }

    @Test("RSA attestation keys verify with RS256 and with PS256", arguments: [false, true])
    func rsaAttestationKeysVerify(pss: Bool) async throws {
        let key = try AttestationKey.makeRSA()
        let leaf = try pki.attestationCertificate(for: key)
        let statement = try x5cStatement([leaf], key: key, alg: pss ? -37 : -257, sig: key.sign(signedData, pss: pss))
        #expect(try await verify(statement) == .certified(chain: [leaf, pki.root]))
    }

    @Test("An Ed25519 attestation key verifies with EdDSA")
    func ed25519AttestationKeyVerifies() async throws {
        let key = AttestationKey.makeEd25519()
        let leaf = try pki.attestationCertificate(for: key)
        #expect(try await verify(x5cStatement([leaf], key: key, alg: -8)) == .certified(chain: [leaf, pki.root]))
    }

    @Test("A signature not made by the certificate's key is refused")
    func wrongAttestationSignatureIsRefused() async throws {
        let statement = try x5cStatement([try certificate()], key: .makeP256())
        await #expect(throws: WebAuthnError.badSignature) { try await verify(statement) }
    }

    @Test("A certified statement signed over another client data hash is refused")
    func certifiedSignatureOverOtherDataIsRefused() async throws {
        let statement = try x5cStatement([try certificate()])
        await #expect(throws: WebAuthnError.badSignature) { try await verify(statement, clientDataHash: AttestationFixtures.otherClientDataHash) }
    }

    @Test("An alg the certificate's key cannot sign with is refused")
    func algNotMatchingCertificateKeyIsRefused() async throws {
        let statement = try x5cStatement([try certificate()], alg: -257)
        await #expect(throws: failure("alg is RS256 or PS256 but the attestation certificate's key is not RSA")) { try await verify(statement) }
    }

    @Test("A certificate whose AAGUID extension names another model is refused")
    func wrongAAGUIDExtensionIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(aaguid: [UInt8](repeating: 0x42, count: 16)))
        await #expect(throws: failure("the AAGUID extension does not match the AAGUID in the authenticator data")) {
            try await verify(x5cStatement([leaf]))
        }
    }

    @Test("A critical AAGUID extension is refused")
    func criticalAAGUIDExtensionIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(aaguid: AttestationFixtures.aaguid, aaguidCritical: true))
        await #expect(throws: failure("the AAGUID extension (1.3.6.1.4.1.45724.1.1.4) is marked critical")) {
            try await verify(x5cStatement([leaf]))
        }
    }

    @Test("An attestation certificate that is a CA is refused")
    func caAttestationCertificateIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(basicConstraints: .isCertificateAuthority(maxPathLength: nil)))
        await #expect(throws: failure("the attestation certificate is a CA (Basic Constraints CA is true)")) { try await verify(x5cStatement([leaf])) }
    }

    @Test("An attestation certificate without Basic Constraints is refused")
    func missingBasicConstraintsIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(basicConstraints: nil))
        await #expect(throws: failure("the attestation certificate has no Basic Constraints extension")) { try await verify(x5cStatement([leaf])) }
    }

    @Test("A version 1 attestation certificate is refused")
    func versionOneCertificateIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(version: .v1, basicConstraints: nil))
        await #expect(throws: failure("the attestation certificate is not version 3")) { try await verify(x5cStatement([leaf])) }
    }

    @Test("A subject OU other than Authenticator Attestation is refused")
    func wrongOrganizationalUnitIsRefused() async throws {
        let leaf = try certificate(AttestationCertificateProfile(subject: AttestationPKI.packedSubject(organizationalUnit: "Authenticator")))
        await #expect(throws: failure("the attestation certificate's subject OU is not \"Authenticator Attestation\"")) {
            try await verify(x5cStatement([leaf]))
        }
    }

    @Test(
        "A subject missing a required attribute is refused",
        arguments: [
            (AttestationPKI.packedSubject(country: nil), "the attestation certificate's subject has no single two-letter country (C)"),
            (AttestationPKI.packedSubject(country: "USA"), "the attestation certificate's subject has no single two-letter country (C)"),
            (AttestationPKI.packedSubject(organization: nil), "the attestation certificate's subject has no single organization (O)"),
            (AttestationPKI.packedSubject(organizationalUnit: nil), "the attestation certificate's subject OU is not \"Authenticator Attestation\""),
            (AttestationPKI.packedSubject(commonName: nil), "the attestation certificate's subject has no single common name (CN)"),
        ])
    func incompleteSubjectIsRefused(subject: DistinguishedName, reason: String) async throws {
        let leaf = try certificate(AttestationCertificateProfile(subject: subject))
        await #expect(throws: failure(reason)) { try await verify(x5cStatement([leaf])) }
    }

    // MARK: Trust

    @Test("A chain to an anchor that was not supplied is not trusted")
    func chainToUnsuppliedAnchorIsNotTrusted() async throws {
        let statement = try x5cStatement([try certificate()])
        try await expectAttestationNotTrusted("x5c does not chain to a trust anchor") {
            try await verify(statement, anchors: [try AttestationPKI(name: "Other Root CA").root])
        }
    }

    @Test("A chain to a different root with the same name is not trusted")
    func chainToImpostorRootIsNotTrusted() async throws {
        let statement = try x5cStatement([try certificate()])
        try await expectAttestationNotTrusted("x5c does not chain to a trust anchor") {
            try await verify(statement, anchors: [try AttestationPKI().root])
        }
    }

    @Test("Without trust anchors a certified statement is not trusted")
    func noAnchorsIsNotTrusted() async throws {
        let statement = try x5cStatement([try certificate()])
        try await expectAttestationNotTrusted("no trust anchors are configured for this format") { try await verify(statement, anchors: []) }
    }

    @Test("An expired attestation certificate is not trusted")
    func expiredCertificateIsNotTrusted() async throws {
        let leaf = try certificate(AttestationCertificateProfile(notValidAfter: AttestationClock.now.addingTimeInterval(-86_400)))
        try await expectAttestationNotTrusted("the chain to a trust anchor fails RFC 5280 validation") { try await verify(x5cStatement([leaf])) }
    }

    @Test("The same certificate verifies before it expires and is not trusted after")
    func expiryFollowsTheInjectedClock() async throws {
        let leaf = try certificate(AttestationCertificateProfile(notValidAfter: AttestationClock.now))
        let statement = try x5cStatement([leaf])
        #expect(try await verify(statement, now: AttestationClock.now.addingTimeInterval(-60)) == .certified(chain: [leaf, pki.root]))
        try await expectAttestationNotTrusted("the chain to a trust anchor fails RFC 5280 validation") {
            try await verify(statement, now: AttestationClock.now.addingTimeInterval(60))
        }
    }

    @Test("An attestation certificate that is not yet valid is not trusted")
    func notYetValidCertificateIsNotTrusted() async throws {
        let leaf = try certificate(AttestationCertificateProfile(notValidBefore: AttestationClock.now.addingTimeInterval(86_400)))
        try await expectAttestationNotTrusted("the chain to a trust anchor fails RFC 5280 validation") { try await verify(x5cStatement([leaf])) }
    }

    @Test("Many certified verifications of one input running at once all succeed with the same path")
    func concurrentVerificationsComplete() async throws {
        // One shared input verified by many tasks at once, more than the cooperative pool has threads: every
        // verification must finish and reach the same result as a lone one.
        let leaf = try certificate()
        let input = try AttestationFixtures.input(
            statement: try x5cStatement([leaf]), authenticatorData: authenticatorData, trustAnchors: [pki.root])
        let results = await withTaskGroup(of: AttestationTrust?.self) { group in
            for _ in 0..<64 {
                group.addTask { try? await PackedAttestation.verify(input) }
            }
            return await group.reduce(into: [AttestationTrust?]()) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 == .certified(chain: [leaf, pki.root]) })
    }

    @Test("A certificate with a critical extension that is not understood is not trusted")
    func unknownCriticalExtensionIsNotTrusted() async throws {
        let unknown = Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 99999, 1], critical: true, value: [0x05, 0x00])
        let leaf = try certificate(AttestationCertificateProfile(extraExtensions: [unknown]))
        try await expectAttestationNotTrusted("x5c[0] has a critical extension that is not understood") { try await verify(x5cStatement([leaf])) }
    }
}

/// Expects `body` to fail with `.attestationNotTrusted` for `format`, for a reason starting with `reason`: the
/// verifier's own explanation may follow.
func expectAttestationNotTrusted<Result>(
    _ reason: String, format: String = "packed", sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Result
) async throws {
    let error = await #expect(throws: WebAuthnError.self, sourceLocation: sourceLocation) { try await body() }
    guard case .attestationNotTrusted(let found, let why)? = error else {
        Issue.record("expected attestationNotTrusted, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    #expect(found == format, sourceLocation: sourceLocation)
    #expect(why.hasPrefix(reason), "\(why)", sourceLocation: sourceLocation)
}
