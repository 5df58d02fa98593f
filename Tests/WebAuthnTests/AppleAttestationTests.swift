import Crypto
import Foundation
import SwiftASN1
import Testing
import WebAuthn
import X509

@Suite("Apple anonymous attestation (§8.8): the nonce extension binds the credential certificate to this registration")
struct AppleAttestationTests {
    private func refusal(_ why: String) -> WebAuthnError { .attestation(format: "apple", why) }

    @Test("an apple statement verifies as certified by the chain up to the anchor")
    func validStatementVerifies() async throws {
        let fixture = try AppleFixture()
        let input = try fixture.input()
        let leaf = try Certificate(derEncoded: try #require(input.statement["x5c"]?.array?.first?.bytes))
        let trust = try await AppleAttestation.verify(input)
        #expect(trust == .certified(chain: [leaf, fixture.hierarchy.intermediate.certificate, fixture.hierarchy.root.certificate]))
    }

    @Test("a nonce other than SHA-256 of authenticatorData and clientDataHash is refused")
    func wrongNonceIsRefused() async throws {
        let expected = refusal("the nonce is not SHA-256 of authenticatorData and clientDataHash")
        var fixture = try AppleFixture()
        fixture.nonce = Array(SHA256.hash(data: fixture.authenticatorData))
        await #expect(throws: expected) { try await fixture.verify() }
        // The nonce of another ceremony's client data.
        fixture.nonce = Array(SHA256.hash(data: fixture.authenticatorData + Array(SHA256.hash(data: Array("another".utf8)))))
        await #expect(throws: expected) { try await fixture.verify() }
        // The nonce unhashed.
        fixture.nonce = fixture.authenticatorData + fixture.clientDataHash
        await #expect(throws: expected) { try await fixture.verify() }
    }

    @Test("a certificate for another key than the credential's is refused")
    func keyMismatchIsRefused() async throws {
        var fixture = try AppleFixture()
        fixture.leafPublicKey = Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)
        await #expect(throws: refusal("credCert's public key is not the credential public key")) { try await fixture.verify() }
        fixture.leafPublicKey = Certificate.PublicKey(P384.Signing.PrivateKey().publicKey)
        await #expect(throws: refusal("credCert's public key is not the credential public key")) { try await fixture.verify() }
    }

    @Test("a certificate without the nonce extension, or with one of another shape, is refused")
    func missingOrMalformedExtensionIsRefused() async throws {
        var fixture = try AppleFixture()
        fixture.includesExtension = false
        await #expect(throws: refusal("credCert has no nonce extension (1.2.840.113635.100.8.2)")) { try await fixture.verify() }

        let malformed = refusal("credCert's nonce extension is not a SEQUENCE holding [1] OCTET STRING")
        fixture = try AppleFixture()
        let nonce = Array(SHA256.hash(data: fixture.authenticatorData + fixture.clientDataHash))
        // The bare OCTET STRING, a [2] tag, an implicit [1], and a second element.
        var bare = DER.Serializer()
        try bare.serialize(ASN1OctetString(contentBytes: nonce[...]))
        var wrongTag = DER.Serializer()
        try wrongTag.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1OctetString(contentBytes: nonce[...]), explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
        }
        var implicit = DER.Serializer()
        try implicit.appendConstructedNode(identifier: .sequence) { coder in
            try ASN1OctetString(contentBytes: nonce[...]).serialize(into: &coder, withIdentifier: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific))
        }
        var extra = DER.Serializer()
        try extra.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1OctetString(contentBytes: nonce[...]), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            try coder.serialize(ASN1Null())
        }
        for value in [bare.serializedBytes, wrongTag.serializedBytes, implicit.serializedBytes, extra.serializedBytes, try AppleFixture.encodeNonce(nonce) + [0]] {
            fixture.extensionValue = value
            await #expect(throws: malformed) { try await fixture.verify() }
        }
        let good = try AppleFixture.encodeNonce(nonce)
        for cut in 0..<good.count {
            fixture.extensionValue = Array(good.prefix(cut))
            await #expect(throws: malformed) { try await fixture.verify() }
        }
    }

    @Test("a statement with a field other than x5c, or without x5c, is refused")
    func malformedStatementIsRefused() async throws {
        var fixture = try AppleFixture()
        fixture.extraFields = [("alg", CBORValue(-7))]
        await #expect(throws: refusal("attStmt has a field alg that the format does not define")) { try await fixture.verify() }
        let base = try AppleFixture().input()
        let empty = AttestationInput(
            statement: .map([]), authenticatorData: base.authenticatorData, clientDataHash: base.clientDataHash,
            trustAnchors: base.trustAnchors, now: base.now)
        await #expect(throws: refusal("attStmt has no x5c")) { try await AppleAttestation.verify(empty) }
        let tooLong = AttestationInput(
            statement: PlatformFixtures.statement([("x5c", .array(Array(repeating: .bytes([0]), count: 9)))]),
            authenticatorData: base.authenticatorData, clientDataHash: base.clientDataHash, trustAnchors: base.trustAnchors, now: base.now)
        await #expect(throws: refusal("x5c holds more than 8 certificates")) { try await AppleAttestation.verify(tooLong) }
    }

    @Test("a chain to an anchor that was not supplied, or no anchors at all, is not trusted")
    func untrustedChainIsRefused() async throws {
        var fixture = try AppleFixture()
        fixture.anchors = [try PlatformFixtures.Authority.root("Another Root").certificate]
        await expectNotTrusted("x5c does not chain to a trust anchor configured for this format", format: "apple") { try await fixture.verify() }
        fixture.anchors = []
        await expectNotTrusted("no trust anchors are configured for this format", format: "apple") { try await fixture.verify() }
        // The intermediate alone as anchor is enough: the path ends where the caller's trust begins.
        fixture.anchors = [fixture.hierarchy.intermediate.certificate]
        await #expect(throws: Never.self) { try await fixture.verify() }
    }

    @Test("a credential certificate expired at the injected time is not trusted")
    func expiredCertificateIsRefused() async throws {
        var fixture = try AppleFixture()
        fixture.leafNotValidAfter = PlatformFixtures.now - 1
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "apple") { try await fixture.verify() }
        fixture = try AppleFixture()
        fixture.now = PlatformFixtures.now + 366 * PlatformFixtures.day
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "apple") { try await fixture.verify() }
    }
}
