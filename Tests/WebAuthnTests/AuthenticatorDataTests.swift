import Crypto
import _CryptoExtras
import Foundation
import Testing
import WebAuthn
import WebAuthnTestSupport

@Suite("Authenticator data and COSE keys: parsed strictly, nothing left over")
struct AuthenticatorDataTests {
    @Test("registration data yields the RP ID hash, flags, count, credential id, AAGUID and a key that verifies")
    func parsesAttestedCredential() throws {
        let credential = SoftwareCredential(credentialID: Array(repeating: 7, count: 64), aaguid: Array(1...16))
        let bytes = credential.authenticatorData(flags: [.userPresent, .userVerified, .backupEligible], signCount: 42)
        let data = try AuthenticatorData(bytes)
        #expect(data.rpIDHash == Array(SHA256.hash(data: Array("hospital.example".utf8))))
        #expect(data.flags == [.userPresent, .userVerified, .backupEligible, .attestedCredentialData])
        #expect(data.signCount == 42 && data.extensions == nil && data.bytes == bytes)
        let attested = try #require(data.attestedCredential)
        #expect(attested.credentialID == credential.credentialID && attested.aaguid == Array(1...16))
        #expect(attested.publicKeyBytes == credential.coseKey && attested.publicKey.algorithm == .es256)
        let message = Array("signed".utf8)
        #expect(attested.publicKey.isValidSignature(credential.sign(message), for: message))
        #expect(!attested.publicKey.isValidSignature(credential.sign(message), for: Array("other".utf8)))
    }

    @Test("assertion data has no credential; an extensions map after it is read")
    func parsesExtensions() throws {
        let credential = SoftwareCredential()
        let extensions = CBOREncoding.encode(CBOREncoding.map([(.text("credProps"), CBOREncoding.map([(.text("rk"), .bool(true))]))]))
        let data = try AuthenticatorData(credential.authenticatorData(attested: false, extensions: extensions))
        #expect(data.attestedCredential == nil && data.extensions?["credProps"]?["rk"] == .bool(true))
    }

    @Test("malformed authenticator data is refused with the reason")
    func refusesMalformed() {
        let credential = SoftwareCredential()
        let good = credential.authenticatorData()
        #expect(throws: WebAuthnError.authenticatorData("it is shorter than 37 bytes")) { try AuthenticatorData(Array(good.prefix(36))) }
        #expect(throws: WebAuthnError.authenticatorData("1 bytes follow the announced content")) { try AuthenticatorData(good + [0]) }
        #expect(throws: WebAuthnError.backedUpWithoutEligibility) {
            try AuthenticatorData(credential.authenticatorData(flags: [.userPresent, .backedUp]))
        }
        // The AT flag without the data, and a credential id longer than the specification allows.
        #expect(throws: WebAuthnError.authenticatorData("the attested credential data is cut short")) {
            try AuthenticatorData(Array(credential.authenticatorData(attested: false)).enumerated().map { $0.offset == 32 ? $0.element | 0x40 : $0.element })
        }
        var long = Array(good.prefix(53))
        long += [0x04, 0x00]
        #expect(throws: WebAuthnError.authenticatorData("the credential id is longer than 1023 bytes")) { try AuthenticatorData(long) }
        // Every cut of valid registration data fails cleanly.
        for cut in 37..<good.count {
            #expect(throws: (any Error).self) { try AuthenticatorData(Array(good.prefix(cut))) }
        }
        // The ED flag with trailing garbage that is not a map.
        var extensionFlagged = credential.authenticatorData(attested: false)
        extensionFlagged[32] |= 0x80
        #expect(throws: WebAuthnError.authenticatorData("the extensions are not a map")) { try AuthenticatorData(extensionFlagged + [0x01]) }
    }

    @Test("COSE keys: each accepted algorithm verifies its own signatures; others and malformed keys are refused")
    func coseKeys() throws {
        let message = Array("to be signed".utf8)
        let ed = Curve25519.Signing.PrivateKey()
        let edKey = try COSEKey(CBOREncoding.map([
            (.unsigned(1), .unsigned(1)), (.unsigned(3), CBORValue(-8)), (CBORValue(-1), .unsigned(6)),
            (CBORValue(-2), .bytes(Array(ed.publicKey.rawRepresentation))),
        ]))
        #expect(edKey.isValidSignature(Array(try ed.signature(for: message)), for: message))
        #expect(!edKey.isValidSignature(Array(try ed.signature(for: message)), for: Array("x".utf8)))

        #expect(throws: WebAuthnError.unsupportedAlgorithm(-35)) {
            try COSEKey(CBOREncoding.map([(.unsigned(1), .unsigned(2)), (.unsigned(3), CBORValue(-35))]))
        }
        #expect(throws: WebAuthnError.coseKey("the algorithm (3) is missing")) { try COSEKey(CBOREncoding.map([(.unsigned(1), .unsigned(2))])) }
        #expect(throws: WebAuthnError.coseKey("ES256 needs an EC2 key on P-256")) {
            try COSEKey(CBOREncoding.map([(.unsigned(1), .unsigned(2)), (.unsigned(3), CBORValue(-7)), (CBORValue(-1), .unsigned(2))]))
        }
        // A point not on the curve.
        #expect(throws: WebAuthnError.coseKey("the point is not on P-256")) {
            try COSEKey(CBOREncoding.map([
                (.unsigned(1), .unsigned(2)), (.unsigned(3), CBORValue(-7)), (CBORValue(-1), .unsigned(1)),
                (CBORValue(-2), .bytes(Array(repeating: 1, count: 32))), (CBORValue(-3), .bytes(Array(repeating: 2, count: 32))),
            ]))
        }
        #expect(throws: WebAuthnError.coseKey("the RSA modulus is shorter than 2048 bits")) {
            try COSEKey(CBOREncoding.map([
                (.unsigned(1), .unsigned(3)), (.unsigned(3), CBORValue(-257)), (CBORValue(-1), .bytes([0x80] + Array(repeating: 1, count: 127))),
                (CBORValue(-2), .bytes([1, 0, 1])),
            ]))
        }
    }

    @Test("RS256 and PS256 keys verify signatures made with their own padding, and not with the other's")
    func rsaKeys() throws {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        let message = Array("to be signed".utf8)
        func key(_ algorithm: Int64) throws -> COSEKey {
            try COSEKey(CBOREncoding.map([
                (.unsigned(1), .unsigned(3)), (.unsigned(3), CBORValue(algorithm)), (CBORValue(-1), .bytes(Array(primitives.modulus))),
                (CBORValue(-2), .bytes(Array(primitives.publicExponent))),
            ]))
        }
        let pkcs1 = Array(try privateKey.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation)
        let pss = Array(try privateKey.signature(for: message, padding: .PSS).rawRepresentation)
        #expect(try key(-257).isValidSignature(pkcs1, for: message) && !(try key(-257).isValidSignature(pss, for: message)))
        #expect(try key(-37).isValidSignature(pss, for: message) && !(try key(-37).isValidSignature(pkcs1, for: message)))
        #expect(!(try key(-257).isValidSignature(pkcs1, for: Array("x".utf8))))
    }
}
