import Crypto
import Foundation
import SwiftASN1
import Testing
import WebAuthn
import X509
import _CryptoExtras

@Suite("TPM attestation (§8.3): pubArea and certInfo parsed strictly, the AIK certificate and its chain checked")
struct TPMAttestationTests {
    private func refusal(_ why: String) -> WebAuthnError { .attestation(format: "tpm", why) }

    @Test("a TPM statement over an ECC P-256 credential verifies as certified by the AIK chain up to the anchor")
    func eccCredentialVerifies() async throws {
        let fixture = try TPMFixture()
        let trust = try await fixture.verify()
        #expect(trust == .certified(chain: [fixture.x5c[0], fixture.hierarchy.intermediate.certificate, fixture.hierarchy.root.certificate]))
    }

    @Test("a TPM statement over an RSA credential verifies, the exponent 0 in pubArea standing for 65537")
    func rsaCredentialVerifies() async throws {
        let fixture = try TPMFixture(credential: .rsa)
        guard case .certified(let chain) = try await fixture.verify() else {
            Issue.record("expected a certified chain")
            return
        }
        #expect(chain.count == 3 && chain.first == fixture.x5c[0])
    }

    @Test("an ECDSA AIK signing with ES256 verifies too")
    func ecdsaAIKVerifies() async throws {
        var fixture = try TPMFixture()
        let aikKey = P256.Signing.PrivateKey()
        fixture.x5c[0] = try fixture.hierarchy.intermediate.issue(
            publicKey: .init(aikKey.publicKey), subject: DistinguishedName(), extensions: try TPMFixture.aikExtensions())
        fixture.alg = -7
        fixture.signature = Array(try aikKey.signature(for: fixture.certInfo).derRepresentation)
        await #expect(throws: Never.self) { try await fixture.verify() }
    }

    @Test("a signature that is not the AIK's over certInfo is refused")
    func wrongSignatureIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.signature = Array(try PlatformFixtures.rsaCredentialKey.signature(for: fixture.certInfo, padding: .insecurePKCS1v1_5).rawRepresentation)
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        // The AIK's signature over other bytes.
        fixture.signature = Array(try PlatformFixtures.aikKey.signature(for: fixture.certInfo + [0], padding: .insecurePKCS1v1_5).rawRepresentation)
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
        // A signature under another algorithm than alg announces.
        fixture.signature = nil
        fixture.alg = -37
        await #expect(throws: WebAuthnError.badSignature) { try await fixture.verify() }
    }

    @Test("certInfo whose extraData is not the hash of authenticatorData and clientDataHash is refused")
    func wrongExtraDataIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.certInfo = fixture.certifyInfo(extraData: Array(SHA256.hash(data: fixture.authenticatorData)))
        await #expect(throws: refusal("certInfo's extraData is not the hash of authenticatorData and clientDataHash")) { try await fixture.verify() }
        // Right certInfo, but a ceremony with other client data.
        fixture = try TPMFixture()
        fixture.clientDataHash = Array(SHA256.hash(data: Array("another ceremony".utf8)))
        await #expect(throws: refusal("certInfo's extraData is not the hash of authenticatorData and clientDataHash")) { try await fixture.verify() }
        // A hash by another algorithm than alg's.
        fixture = try TPMFixture()
        fixture.certInfo = fixture.certifyInfo(extraData: Array(SHA384.hash(data: fixture.authenticatorData + fixture.clientDataHash)))
        await #expect(throws: refusal("certInfo's extraData is not the hash of authenticatorData and clientDataHash")) { try await fixture.verify() }
    }

    @Test("certInfo attesting another object's Name is refused")
    func wrongAttestedNameIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.certInfo = fixture.certifyInfo(name: TPMBytes.name(of: fixture.pubArea + [0]))
        await #expect(throws: refusal("certInfo's attested name is not the Name of pubArea")) { try await fixture.verify() }
    }

    @Test("a pubArea key that is not the credential key is refused, for ECC and RSA")
    func pubAreaKeyMismatchIsRefused() async throws {
        var fixture = try TPMFixture()
        let other = Array(P256.Signing.PrivateKey().publicKey.x963Representation)
        fixture.pubArea = TPMBytes.eccPublicArea(x: Array(other[1...32]), y: Array(other[33...64]))
        fixture.certInfo = fixture.certifyInfo()
        await #expect(throws: refusal("pubArea's key is not the credential public key")) { try await fixture.verify() }

        // An RSA pubArea for an ECC credential.
        let modulus = Array(try PlatformFixtures.rsaCredentialKey.publicKey.getKeyPrimitives().modulus)
        fixture.pubArea = TPMBytes.rsaPublicArea(modulus: modulus)
        fixture.certInfo = fixture.certifyInfo()
        await #expect(throws: refusal("pubArea's key is not the credential public key")) { try await fixture.verify() }

        // The RSA credential's modulus with another exponent, then another modulus.
        var rsa = try TPMFixture(credential: .rsa)
        rsa.pubArea = TPMBytes.rsaPublicArea(modulus: modulus, exponent: 3)
        rsa.certInfo = rsa.certifyInfo()
        await #expect(throws: refusal("pubArea's key is not the credential public key")) { try await rsa.verify() }
        rsa.pubArea = TPMBytes.rsaPublicArea(modulus: Array(try PlatformFixtures.aikKey.publicKey.getKeyPrimitives().modulus))
        rsa.certInfo = rsa.certifyInfo()
        await #expect(throws: refusal("pubArea's key is not the credential public key")) { try await rsa.verify() }

        // The right coordinates on another curve.
        fixture = try TPMFixture()
        fixture.pubArea[15] = 0x04 // curveID: TPM_ECC_NIST_P384
        fixture.certInfo = fixture.certifyInfo()
        await #expect(throws: refusal("pubArea's ECC point is not on its curve")) { try await fixture.verify() }
    }

    @Test("certInfo with another magic than TPM_GENERATED_VALUE or another type than TPM_ST_ATTEST_CERTIFY is refused")
    func badMagicOrTypeIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.certInfo = fixture.certifyInfo(magic: 0xff54_4348)
        await #expect(throws: refusal("certInfo's magic is not TPM_GENERATED_VALUE")) { try await fixture.verify() }
        // TPM_ST_ATTEST_QUOTE.
        fixture.certInfo = fixture.certifyInfo(type: 0x8018)
        await #expect(throws: refusal("certInfo's type is not TPM_ST_ATTEST_CERTIFY")) { try await fixture.verify() }
    }

    @Test("a statement with ver other than 2.0, a missing or mistyped field, or a field the format lacks is refused")
    func malformedStatementIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.ver = .text("1.2")
        await #expect(throws: refusal("ver is not \"2.0\"")) { try await fixture.verify() }
        fixture.ver = nil
        await #expect(throws: refusal("ver is not \"2.0\"")) { try await fixture.verify() }
        fixture = try TPMFixture()
        fixture.extraFields = [("ecdaaKeyId", .bytes([1, 2, 3]))]
        await #expect(throws: refusal("attStmt has a field ecdaaKeyId that the format does not define")) { try await fixture.verify() }
        fixture = try TPMFixture()
        fixture.x5c = []
        await #expect(throws: refusal("x5c is empty")) { try await fixture.verify() }

        let base = try fixture.input()
        let fields = try #require(base.statement.map)
        let missing = [
            ("alg", "alg is missing or not an integer"), ("sig", "sig is missing or not a byte string"),
            ("certInfo", "certInfo is missing or not a byte string"), ("pubArea", "pubArea is missing or not a byte string"),
            ("x5c", "attStmt has no x5c"),
        ]
        for (field, reason) in missing {
            let statement = CBORValue.map(fields.filter { $0.key != .text(field) })
            let input = AttestationInput(
                statement: statement, authenticatorData: base.authenticatorData, clientDataHash: base.clientDataHash,
                trustAnchors: base.trustAnchors, now: base.now)
            await #expect(throws: refusal(reason)) { try await TPMAttestation.verify(input) }
        }
        let notAMap = AttestationInput(
            statement: .array([]), authenticatorData: base.authenticatorData, clientDataHash: base.clientDataHash,
            trustAnchors: base.trustAnchors, now: base.now)
        await #expect(throws: refusal("attStmt is not a map")) { try await TPMAttestation.verify(notAMap) }
    }

    @Test("an alg outside the accepted attestation algorithms, such as RS1, is refused as unsupported")
    func unsupportedAlgorithmIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.alg = -65535
        await #expect(throws: WebAuthnError.unsupportedAlgorithm(-65535)) { try await fixture.verify() }
        // EdDSA names no hash for extraData.
        fixture.alg = -8
        await #expect(throws: WebAuthnError.unsupportedAlgorithm(-8)) { try await fixture.verify() }
    }

    @Test("an AIK certificate that breaks §8.3.1 is refused: subject, SAN, EKU, basic constraints, AAGUID")
    func aikCertificateRequirements() async throws {
        let subject = try DistinguishedName { CommonName("AIK") }
        await #expect(throws: refusal("aikCert's subject is not empty")) { try await TPMFixture(aikSubject: subject).verify() }
        await #expect(throws: refusal("aikCert's subject alternative name is not critical though its subject is empty")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(sanCritical: false)).verify()
        }
        let noModel: [(ASN1ObjectIdentifier, String)] = [(TPMFixture.manufacturer, "id:4E544300"), (TPMFixture.version, "id:0007")]
        await #expect(throws: refusal("aikCert's subject alternative name does not give the TPM model once")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(sanAttributes: noModel)).verify()
        }
        let badVendor: [(ASN1ObjectIdentifier, String)] = [
            (TPMFixture.manufacturer, "Nuvoton"), (TPMFixture.model, "NPCT75x"), (TPMFixture.version, "id:0007"),
        ]
        await #expect(throws: refusal("aikCert's TPM manufacturer is not \"id:\" and eight hex digits")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(sanAttributes: badVendor)).verify()
        }
        await #expect(throws: refusal("aikCert's extended key usage lacks tcg-kp-AIKCertificate (2.23.133.8.3)")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(usages: [])).verify()
        }
        await #expect(throws: refusal("aikCert's extended key usage lacks tcg-kp-AIKCertificate (2.23.133.8.3)")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(usages: [[1, 3, 6, 1, 5, 5, 7, 3, 2]])).verify()
        }
        await #expect(throws: refusal("aikCert's basic constraints make it a CA")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(basicConstraints: .isCertificateAuthority(maxPathLength: nil))).verify()
        }
        await #expect(throws: refusal("aikCert's AAGUID extension does not match the credential's AAGUID")) {
            try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(aaguid: Array(repeating: 9, count: 16))).verify()
        }
        // The AAGUID extension naming the credential's model passes, and so does an AIK without basic constraints.
        await #expect(throws: Never.self) { try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(aaguid: TPMFixture.aaguid)).verify() }
        await #expect(throws: Never.self) { try await TPMFixture(aikExtensions: try TPMFixture.aikExtensions(basicConstraints: nil)).verify() }
    }

    @Test("a chain to an anchor that was not supplied, or no anchors at all, is not trusted")
    func untrustedChainIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.anchors = [try PlatformFixtures.Authority.root("Another Root").certificate]
        await expectNotTrusted("x5c does not chain to a trust anchor configured for this format", format: "tpm") { try await fixture.verify() }
        fixture.anchors = []
        await #expect(throws: WebAuthnError.attestationNotTrusted(format: "tpm", "no trust anchors are configured for this format")) {
            try await fixture.verify()
        }
        // Without the intermediate the AIK certificate leads nowhere.
        fixture = try TPMFixture()
        fixture.x5c = [fixture.x5c[0]]
        await expectNotTrusted("x5c does not chain to a trust anchor configured for this format", format: "tpm") { try await fixture.verify() }
    }

    @Test("an AIK certificate expired, or not yet valid, at the injected time is not trusted")
    func expiredCertificateIsRefused() async throws {
        var fixture = try TPMFixture()
        fixture.now = PlatformFixtures.now + 400 * PlatformFixtures.day
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "tpm") { try await fixture.verify() }
        fixture.now = PlatformFixtures.now - 60 * PlatformFixtures.day
        await expectNotTrusted("the chain to a trust anchor fails RFC 5280 validation", format: "tpm") { try await fixture.verify() }
    }

    @Test("pubArea and certInfo cut at every length, or with bytes appended, fail cleanly")
    func truncatedStructuresFailCleanly() async throws {
        let good = try TPMFixture()
        for cut in 0..<good.pubArea.count {
            var fixture = good
            fixture.pubArea = Array(good.pubArea.prefix(cut))
            await #expect(throws: WebAuthnError.self) { try await fixture.verify() }
        }
        for cut in 0..<good.certInfo.count {
            var fixture = good
            fixture.certInfo = Array(good.certInfo.prefix(cut))
            await #expect(throws: WebAuthnError.self) { try await fixture.verify() }
        }
        var fixture = good
        fixture.pubArea = Array(good.pubArea.prefix(10))
        await #expect(throws: refusal("pubArea is cut short")) { try await fixture.verify() }
        fixture = good
        fixture.certInfo = Array(good.certInfo.prefix(40))
        await #expect(throws: refusal("certInfo is cut short")) { try await fixture.verify() }
        fixture = good
        fixture.pubArea = good.pubArea + [0]
        await #expect(throws: refusal("pubArea has 1 bytes after its end")) { try await fixture.verify() }
        fixture = good
        fixture.certInfo = good.certInfo + [0, 0]
        await #expect(throws: refusal("certInfo has 2 bytes after its end")) { try await fixture.verify() }
    }

    @Test("TPM2B sizes larger than their type allows are refused before anything is read")
    func oversizedStructuresAreRefused() async throws {
        let good = try TPMFixture()
        var fixture = good
        // extraData announcing 65535 bytes.
        var certInfo = TPMBytes.u32(TPMBytes.generatedValue) + TPMBytes.u16(TPMBytes.attestCertify) + TPMBytes.sized([])
        certInfo += [0xff, 0xff] + Array(repeating: 0, count: 100)
        fixture.certInfo = certInfo
        await #expect(throws: refusal("certInfo has a extraData of 65535 bytes, more than its type allows (66)")) { try await fixture.verify() }
        // An attested name of 67 bytes.
        fixture = good
        fixture.certInfo = fixture.certifyInfo(name: Array(repeating: 1, count: 67))
        await #expect(throws: refusal("certInfo has a attested name of 67 bytes, more than its type allows (66)")) { try await fixture.verify() }
        // An ECC x coordinate of 67 bytes, and an RSA modulus of 520.
        fixture = good
        fixture.pubArea = TPMBytes.eccPublicArea(x: Array(repeating: 1, count: 67), y: Array(repeating: 1, count: 32))
        await #expect(throws: refusal("pubArea has a ECC x coordinate of 67 bytes, more than its type allows (66)")) { try await fixture.verify() }
        fixture.pubArea = TPMBytes.rsaPublicArea(modulus: Array(repeating: 0xff, count: 520))
        await #expect(throws: refusal("pubArea has a RSA modulus of 520 bytes, more than its type allows (512)")) { try await fixture.verify() }
        // A pubArea that is neither RSA nor ECC (TPM_ALG_KEYEDHASH), and one with SHA-1 as nameAlg.
        fixture = good
        fixture.pubArea[1] = 0x08
        await #expect(throws: refusal("pubArea's type is neither TPM_ALG_RSA nor TPM_ALG_ECC")) { try await fixture.verify() }
        fixture = good
        fixture.pubArea[3] = 0x04
        fixture.certInfo = fixture.certifyInfo(name: [0x00, 0x04] + Array(Insecure.SHA1.hash(data: fixture.pubArea)))
        await #expect(throws: refusal("pubArea's nameAlg is not SHA-256, SHA-384 or SHA-512")) { try await fixture.verify() }
    }

    @Test("arbitrary bytes as pubArea and certInfo never crash the parser")
    func randomStructuresFailCleanly() async throws {
        let good = try TPMFixture()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var fixture = good
            let length = Int.random(in: 0..<160, using: &generator)
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) { fixture.pubArea = noise } else { fixture.certInfo = noise }
            await #expect(throws: WebAuthnError.self) { try await fixture.verify() }
        }
    }
}
