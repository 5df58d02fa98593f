import Crypto
import Foundation
import Testing
import WebAuthn
import X509
import WebAuthnTestSupport

@Suite("fido-u2f attestation (§8.6)")
struct FIDOU2FAttestationTests {
    let credential = SoftwareCredential()
    let pki: AttestationPKI
    let attestationKey = AttestationKey.makeP256()

    init() throws {
        pki = try AttestationPKI()
    }

    /// A U2F attestation certificate: U2F predates §8.2.1, so it carries only a common name and no extensions.
    func certificate(for key: AttestationKey? = nil, notValidAfter: Date = AttestationClock.expires) throws -> Certificate {
        let subject = try DistinguishedName { CommonName("Test U2F Device") }
        return try pki.attestationCertificate(
            for: key ?? attestationKey,
            profile: AttestationCertificateProfile(subject: subject, basicConstraints: nil, notValidAfter: notValidAfter))
    }

    /// What a U2F device signs: 0x00, the application parameter (RP ID hash), the challenge parameter (client data
    /// hash), the key handle (credential ID) and the user public key (uncompressed P-256 point).
    func registrationData(
        credentialID: [UInt8]? = nil, publicKey: [UInt8]? = nil, clientDataHash: [UInt8] = AttestationFixtures.clientDataHash
    ) -> [UInt8] {
        [0x00] + Array(SHA256.hash(data: Array("hospital.example".utf8))) + clientDataHash
            + (credentialID ?? credential.credentialID) + (publicKey ?? Array(credential.privateKey.publicKey.x963Representation))
    }

    func statement(_ certificates: [Certificate], sig: [UInt8]) -> CBORValue {
        AttestationFixtures.statement([("x5c", AttestationFixtures.x5c(certificates)), ("sig", .bytes(sig))])
    }

    func validStatement() throws -> CBORValue {
        statement([try certificate()], sig: try attestationKey.sign(registrationData()))
    }

    func verify(
        _ statement: CBORValue, authenticatorData: [UInt8]? = nil, anchors: [Certificate]? = nil, now: Date = AttestationClock.now,
        clientDataHash: [UInt8] = AttestationFixtures.clientDataHash
    ) async throws -> AttestationTrust {
        try await FIDOU2FAttestation.verify(AttestationFixtures.input(
            statement: statement, authenticatorData: authenticatorData ?? credential.authenticatorData(), clientDataHash: clientDataHash,
            trustAnchors: anchors ?? [pki.root], now: now))
    }

    func failure(_ text: String) -> WebAuthnError { .attestation(format: "fido-u2f", text) }

    @Test("A U2F registration signature by a certified P-256 key verifies as certified")
    func validStatementVerifies() async throws {
        let attestationCertificate = try certificate()
        let statement = statement([attestationCertificate], sig: try attestationKey.sign(registrationData()))
        #expect(try await verify(statement) == .certified(chain: [attestationCertificate, pki.root]))
    }

    @Test("A signature by another key is refused")
    func wrongSignatureIsRefused() async throws {
        let statement = statement([try certificate()], sig: try AttestationKey.makeP256().sign(registrationData()))
        await #expect(throws: WebAuthnError.badSignature) { try await verify(statement) }
    }

    @Test("A signature over another client data hash is refused")
    func signatureOverOtherDataIsRefused() async throws {
        await #expect(throws: WebAuthnError.badSignature) {
            try await verify(validStatement(), clientDataHash: AttestationFixtures.otherClientDataHash)
        }
    }

    @Test("A signature over another credential ID is refused")
    func signatureOverOtherCredentialIsRefused() async throws {
        let statement = statement([try certificate()], sig: try attestationKey.sign(registrationData(credentialID: Array(16..<32))))
        await #expect(throws: WebAuthnError.badSignature) { try await verify(statement) }
    }

    @Test("A signature that is not DER is refused")
    func malformedSignatureIsRefused() async throws {
        await #expect(throws: WebAuthnError.badSignature) { try await verify(statement([try certificate()], sig: [0x30, 0x00])) }
    }

    @Test("An attestation certificate whose key is not on P-256 is refused", arguments: ["P-384", "Ed25519"])
    func attestationKeyNotOnP256IsRefused(kind: String) async throws {
        let key = kind == "P-384" ? AttestationKey.makeP384() : AttestationKey.makeEd25519()
        let statement = statement([try certificate(for: key)], sig: try key.sign(registrationData()))
        await #expect(throws: failure("the attestation certificate's key is not an EC key on P-256")) { try await verify(statement) }
    }

    @Test("A credential key that is not ES256 on P-256 is refused")
    func credentialKeyNotOnP256IsRefused() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let authenticatorData = AttestationFixtures.authenticatorData(coseKey: AttestationFixtures.coseKey(ed25519: key.publicKey))
        let statement = statement([try certificate()], sig: try attestationKey.sign(registrationData(publicKey: Array(key.publicKey.rawRepresentation))))
        await #expect(throws: failure("the credential public key is not an ES256 key on P-256")) {
            try await verify(statement, authenticatorData: authenticatorData)
        }
    }

    @Test("A non-zero AAGUID does not matter: the verification procedure does not read it")
    func nonZeroAAGUIDIsAccepted() async throws {
        let credential = SoftwareCredential(aaguid: AttestationFixtures.aaguid)
        let data = [0x00] + Array(SHA256.hash(data: Array("hospital.example".utf8))) + AttestationFixtures.clientDataHash
            + credential.credentialID + Array(credential.privateKey.publicKey.x963Representation)
        let statement = statement([try certificate()], sig: try attestationKey.sign(data))
        guard case .certified = try await verify(statement, authenticatorData: credential.authenticatorData()) else {
            Issue.record("a U2F registration with a non-zero AAGUID is not certified")
            return
        }
    }

    @Test("An x5c with more than one certificate is refused")
    func twoCertificatesAreRefused() async throws {
        let statement = statement([try certificate(), pki.root], sig: try attestationKey.sign(registrationData()))
        await #expect(throws: failure("x5c does not hold exactly one certificate")) { try await verify(statement) }
    }

    @Test("A statement without x5c is refused")
    func missingX5CIsRefused() async throws {
        let statement = AttestationFixtures.statement([("sig", .bytes(try attestationKey.sign(registrationData())))])
        await #expect(throws: failure("attStmt has no x5c")) { try await verify(statement) }
    }

    @Test("A statement without sig is refused")
    func missingSignatureIsRefused() async throws {
        let statement = AttestationFixtures.statement([("x5c", AttestationFixtures.x5c([try certificate()]))])
        await #expect(throws: failure("attStmt has no sig")) { try await verify(statement) }
    }

    @Test("A statement with a field the format does not define is refused")
    func extraFieldIsRefused() async throws {
        let statement = AttestationFixtures.statement([
            ("x5c", AttestationFixtures.x5c([try certificate()])), ("sig", .bytes(try attestationKey.sign(registrationData()))),
            ("alg", CBORValue(-7)),
        ])
        await #expect(throws: failure("attStmt has a field alg that the format does not define")) { try await verify(statement) }
    }

    @Test("A certificate that chains to an anchor that was not supplied is not trusted")
    func unsuppliedAnchorIsNotTrusted() async throws {
        let other = try AttestationPKI(name: "Other U2F Root CA")
        try await expectAttestationNotTrusted("x5c does not chain to a trust anchor", format: "fido-u2f") {
            try await verify(validStatement(), anchors: [other.root])
        }
    }

    @Test("Without trust anchors the statement is not trusted")
    func noAnchorsIsNotTrusted() async throws {
        try await expectAttestationNotTrusted("no trust anchors are configured for this format", format: "fido-u2f") {
            try await verify(validStatement(), anchors: [])
        }
    }

    @Test("An expired attestation certificate is not trusted")
    func expiredCertificateIsNotTrusted() async throws {
        let expired = try certificate(notValidAfter: AttestationClock.now.addingTimeInterval(-1))
        let statement = statement([expired], sig: try attestationKey.sign(registrationData()))
        try await expectAttestationNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "fido-u2f") { try await verify(statement) }
    }
}
