import Crypto
import Foundation
import SwiftASN1
import Testing
import WebAuthn
import WebAuthnTestSupport
import X509

@Suite("Android key attestation (§8.4): the credential key certified by the keystore for this challenge, for signing only")
struct AndroidKeyAttestationTests {
    private func refusal(_ why: String) -> WebAuthnError { .attestation(format: "android-key", why) }

    @Test("an android-key statement verifies as certified by the chain up to the anchor")
    func validStatementVerifies() async throws {
        let fixture = try AndroidKeyFixture()
        let input = try fixture.input()
        let leaf = try Certificate(derEncoded: try #require(input.statement["x5c"]?.array?.first?.bytes))
        let trust = try await AndroidKeyAttestation.verify(input)
        #expect(trust == .certified(chain: [leaf, fixture.hierarchy.intermediate.certificate, fixture.hierarchy.root.certificate]))
    }

    @Test("origin and purpose are read from either list by default, from teeEnforced alone when the RP requires a TEE")
    func listsAreUnitedUnlessTEEIsRequired() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.teeEnforced = AuthorizationListSpec()
        fixture.softwareEnforced = AuthorizationListSpec(purposes: [2], origin: 0)
        await #expect(throws: Never.self) { try await fixture.verify() }
        fixture.requireTrustedExecutionEnvironment = true
        await #expect(throws: refusal("the key's origin is not KM_ORIGIN_GENERATED")) { try await fixture.verify() }
        fixture.teeEnforced = AuthorizationListSpec(purposes: [2], origin: 0)
        await #expect(throws: Never.self) { try await fixture.verify() }
    }

    @Test("a signature that is not the credential key's over authenticatorData and clientDataHash is refused")
    func wrongSignatureIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.signature = fixture.credential.sign(fixture.authenticatorData)
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        fixture.signature = Array(try P256.Signing.PrivateKey().signature(for: fixture.authenticatorData + fixture.clientDataHash).derRepresentation)
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        fixture.signature = [0x30, 0x00]
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        // An alg that does not fit the certificate's key.
        fixture.signature = nil
        fixture.alg = -257
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        fixture.alg = -65535
        await #expect(throws: WebAuthnError.unsupportedAlgorithm(-65535)) { try await fixture.verify() }
    }

    @Test("a certificate for another key than the credential's is refused, even when that key signed")
    func keyMismatchIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.leafKey = P256.Signing.PrivateKey()
        await #expect(throws: refusal("credCert's public key is not the credential public key")) { try await fixture.verify() }
    }

    @Test("an attestationChallenge other than clientDataHash is refused")
    func wrongChallengeIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.challenge = Array(SHA256.hash(data: Array("another ceremony".utf8)))
        await #expect(throws: refusal("the attestationChallenge is not clientDataHash")) { try await fixture.verify() }
        fixture.challenge = []
        await #expect(throws: refusal("the attestationChallenge is not clientDataHash")) { try await fixture.verify() }
    }

    @Test("allApplications in either authorization list is refused")
    func allApplicationsIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.teeEnforced.allApplications = true
        await #expect(throws: refusal("an authorization list grants allApplications")) { try await fixture.verify() }
        fixture = try AndroidKeyFixture()
        fixture.softwareEnforced.allApplications = true
        await #expect(throws: refusal("an authorization list grants allApplications")) { try await fixture.verify() }
    }

    @Test("a key imported rather than generated, without an origin, or with purposes beyond signing is refused")
    func originAndPurposeAreChecked() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.teeEnforced.origin = 2 // KM_ORIGIN_IMPORTED
        await #expect(throws: refusal("the key's origin is not KM_ORIGIN_GENERATED")) { try await fixture.verify() }
        fixture.teeEnforced.origin = nil
        await #expect(throws: refusal("the key's origin is not KM_ORIGIN_GENERATED")) { try await fixture.verify() }
        // Generated in one list, imported in the other.
        fixture.teeEnforced.origin = 0
        fixture.softwareEnforced.origin = 2
        await #expect(throws: refusal("the key's origin is not KM_ORIGIN_GENERATED")) { try await fixture.verify() }

        fixture = try AndroidKeyFixture()
        fixture.teeEnforced.purposes = [2, 3] // SIGN and VERIFY
        await #expect(throws: refusal("the key's purpose is not KM_PURPOSE_SIGN")) { try await fixture.verify() }
        fixture.teeEnforced.purposes = [0] // ENCRYPT
        await #expect(throws: refusal("the key's purpose is not KM_PURPOSE_SIGN")) { try await fixture.verify() }
        fixture.teeEnforced.purposes = nil
        await #expect(throws: refusal("the key's purpose is not KM_PURPOSE_SIGN")) { try await fixture.verify() }
    }

    @Test("a certificate without the extension, or with one that is not a KeyDescription, is refused")
    func missingOrMalformedExtensionIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.includesExtension = false
        await #expect(throws: refusal("credCert has no key attestation extension (1.3.6.1.4.1.11129.2.1.17)")) { try await fixture.verify() }

        let invalid = refusal("credCert's key attestation extension is not a valid KeyDescription")
        fixture = try AndroidKeyFixture()
        fixture.extensionValue = [0x04, 0x00]
        await #expect(throws: invalid) { try await fixture.verify() }
        // The same tag twice in one list.
        fixture.extensionValue = nil
        var origin = DER.Serializer()
        try origin.serialize(0, explicitlyTaggedWithTagNumber: 702, tagClass: .contextSpecific)
        fixture.teeEnforced.rawElements = [origin.serializedBytes]
        await #expect(throws: invalid) { try await fixture.verify() }
        // A universal-class element inside a list, and an implicitly tagged (primitive) one.
        fixture.teeEnforced.rawElements = [[0x02, 0x01, 0x00]]
        await #expect(throws: invalid) { try await fixture.verify() }
        fixture.teeEnforced.rawElements = [[0x9f, 0x85, 0x3f, 0x01, 0x00]]
        await #expect(throws: invalid) { try await fixture.verify() }
        // allApplications holding something other than NULL.
        fixture.teeEnforced.rawElements = [[0xbf, 0x84, 0x58, 0x03, 0x02, 0x01, 0x00]]
        await #expect(throws: invalid) { try await fixture.verify() }
        // A KeyDescription with a field appended, and one with bytes after it.
        fixture.teeEnforced.rawElements = []
        var encoded = try fixture.keyDescription
        encoded[1] += 2
        fixture.extensionValue = encoded + [0x05, 0x00]
        await #expect(throws: invalid) { try await fixture.verify() }
        fixture.extensionValue = try AndroidKeyFixture().keyDescription + [0x00]
        await #expect(throws: invalid) { try await fixture.verify() }
    }

    @Test("tags this code does not read are skipped, even unknown ones")
    func unknownTagsAreSkipped() async throws {
        var fixture = try AndroidKeyFixture()
        var unknown = DER.Serializer()
        try unknown.serialize(ASN1OctetString(contentBytes: [1, 2, 3]), explicitlyTaggedWithTagNumber: 799, tagClass: .contextSpecific)
        fixture.teeEnforced.rawElements = [unknown.serializedBytes]
        await #expect(throws: Never.self) { try await fixture.verify() }
    }

    @Test("a KeyDescription cut at every length fails cleanly")
    func truncatedExtensionFailsCleanly() async throws {
        var fixture = try AndroidKeyFixture()
        let encoded = try fixture.keyDescription
        for cut in 0..<encoded.count {
            fixture.extensionValue = Array(encoded.prefix(cut))
            await #expect(throws: refusal("credCert's key attestation extension is not a valid KeyDescription")) { try await fixture.verify() }
        }
    }

    @Test("a statement with a missing field or a field the format lacks is refused")
    func malformedStatementIsRefused() async throws {
        let base = try AndroidKeyFixture().input()
        let fields = try #require(base.statement.map)
        let missing = [
            ("alg", "alg is missing or not an integer"), ("sig", "sig is missing or not a byte string"), ("x5c", "attStmt has no x5c"),
        ]
        for (field, reason) in missing {
            let input = AttestationInput(
                statement: .map(fields.filter { $0.key != .text(field) }), authenticatorData: base.authenticatorData,
                clientDataHash: base.clientDataHash, trustAnchors: base.trustAnchors, now: base.now)
            await #expect(throws: refusal(reason)) { try await AndroidKeyAttestation.verify(input) }
        }
        let extra = AttestationInput(
            statement: .map(fields + [CBORValue.MapEntry(key: .text("ver"), value: .text("1"))]), authenticatorData: base.authenticatorData,
            clientDataHash: base.clientDataHash, trustAnchors: base.trustAnchors, now: base.now)
        await #expect(throws: refusal("attStmt has a field ver that the format does not define")) { try await AndroidKeyAttestation.verify(extra) }
        let garbage = AttestationInput(
            statement: .map(fields.map { $0.key == .text("x5c") ? .init(key: $0.key, value: .array([.bytes([0x30, 0x03, 0x02, 0x01, 0x00])])) : $0 }),
            authenticatorData: base.authenticatorData, clientDataHash: base.clientDataHash, trustAnchors: base.trustAnchors, now: base.now)
        await #expect(throws: refusal("x5c[0] is not a DER X.509 certificate")) { try await AndroidKeyAttestation.verify(garbage) }
    }

    @Test("a chain to an anchor that was not supplied, or no anchors at all, is not trusted")
    func untrustedChainIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.anchors = [try PlatformFixtures.Authority.root("Another Root").certificate]
        await expectNotTrusted("x5c does not chain to a trust anchor configured for this format", format: "android-key") { try await fixture.verify() }
        fixture.anchors = []
        await expectNotTrusted("no trust anchors are configured for this format", format: "android-key") { try await fixture.verify() }
        // The anchors of another format's hierarchy do not help either.
        fixture.anchors = [try TPMFixture().hierarchy.root.certificate]
        await expectNotTrusted("x5c does not chain to a trust anchor configured for this format", format: "android-key") { try await fixture.verify() }
    }

    @Test("a credential certificate expired at the injected time is not trusted")
    func expiredCertificateIsRefused() async throws {
        var fixture = try AndroidKeyFixture()
        fixture.leafNotValidAfter = PlatformFixtures.now - PlatformFixtures.day
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "android-key") { try await fixture.verify() }
        fixture = try AndroidKeyFixture()
        fixture.now = PlatformFixtures.now + 20 * 365 * PlatformFixtures.day
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "android-key") { try await fixture.verify() }
    }
}
