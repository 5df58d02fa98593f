import Crypto
import Foundation
import Testing
import WebAuthn
import WebAuthnTestSupport

@Suite("Authentication: an assertion from a software authenticator, and every way it can be wrong")
struct AuthenticationVerifierTests {
    static let relyingParty = RelyingParty(id: "hospital.example", origins: ["https://console.hospital.example"])
    static let challenge: [UInt8] = Array(100..<132)
    static let userHandle: [UInt8] = Array(200..<216)

    /// What to change in an otherwise good assertion.
    struct Tamper {
        var origin = "https://console.hospital.example"
        var type = "webauthn.get"
        var challenge = AuthenticationVerifierTests.challenge
        var rpID = "hospital.example"
        var flags: AuthenticatorFlags = [.userPresent, .userVerified]
        var signCount: UInt32 = 8
        var userHandle: [UInt8]? = AuthenticationVerifierTests.userHandle
        var signWith: SoftwareCredential?
        var attested = false
        var credentialID: [UInt8]?
    }

    static func assertion(_ credential: SoftwareCredential, _ tamper: Tamper = Tamper()) -> AuthenticationResponseJSON {
        let clientData = Array(try! JSONSerialization.data(withJSONObject: [
            "type": tamper.type, "challenge": Base64URL.encode(tamper.challenge), "origin": tamper.origin,
        ]))
        let authenticatorData = credential.authenticatorData(
            rpID: tamper.rpID, flags: tamper.flags, signCount: tamper.signCount, attested: tamper.attested)
        let signature = (tamper.signWith ?? credential).sign(authenticatorData + Array(SHA256.hash(data: clientData)))
        let id = Base64URL.encode(tamper.credentialID ?? credential.credentialID)
        return AuthenticationResponseJSON(id: id, rawId: id, response: AuthenticatorAssertionResponseJSON(
            clientDataJSON: Base64URL.encode(clientData), authenticatorData: Base64URL.encode(authenticatorData),
            signature: Base64URL.encode(signature), userHandle: tamper.userHandle.map { Base64URL.encode($0) }))
    }

    static func stored(_ credential: SoftwareCredential, signCount: UInt32 = 7, backupEligible: Bool = false) throws -> StoredCredential {
        let key = try #require(try AuthenticatorData(credential.authenticatorData()).attestedCredential?.publicKey)
        return StoredCredential(
            credentialID: credential.credentialID, publicKey: key, signCount: signCount, backupEligible: backupEligible, userHandle: userHandle)
    }

    static func verify(_ response: AuthenticationResponseJSON, _ stored: StoredCredential, requireUV: Bool = true) throws -> VerifiedAssertion {
        try AuthenticationVerifier.verify(
            response, expectedChallenge: challenge, relyingParty: relyingParty, credential: stored,
            policy: VerificationPolicy(requireUserVerification: requireUV))
    }

    @Test("a good assertion verifies and reports the new counter and flags")
    func accepts() throws {
        let credential = SoftwareCredential()
        let verified = try Self.verify(Self.assertion(credential), try Self.stored(credential))
        #expect(verified.signCount == 8 && verified.userVerified && !verified.backedUp && verified.credentialID == credential.credentialID)
        // An authenticator without a counter (both zero) is fine; UV is only needed when the policy says so.
        var noCounter = Tamper()
        noCounter.signCount = 0
        noCounter.flags = [.userPresent]
        #expect(try Self.verify(Self.assertion(credential, noCounter), try Self.stored(credential, signCount: 0), requireUV: false).signCount == 0)
    }

    @Test("each wrong assertion is refused with its own reason")
    func refuses() throws {
        let credential = SoftwareCredential()
        let stored = try Self.stored(credential)
        func refused(_ expected: WebAuthnError, _ change: (inout Tamper) -> Void) {
            var tamper = Tamper()
            change(&tamper)
            #expect(throws: expected) { try Self.verify(Self.assertion(credential, tamper), stored) }
        }
        refused(.originNotAllowed("https://evil.example")) { $0.origin = "https://evil.example" }
        refused(.wrongCeremonyType(expected: "webauthn.get", found: "webauthn.create")) { $0.type = "webauthn.create" }
        refused(.challengeMismatch) { $0.challenge = Array(0..<32) }
        refused(.rpIDMismatch) { $0.rpID = "evil.example" }
        refused(.userNotPresent) { $0.flags = [.userVerified] }
        refused(.userNotVerified) { $0.flags = [.userPresent] }
        refused(.badSignature) { $0.signWith = SoftwareCredential() }
        refused(.signCountRegression(stored: 7, received: 7)) { $0.signCount = 7 }
        refused(.signCountRegression(stored: 7, received: 0)) { $0.signCount = 0 }
        refused(.backedUpWithoutEligibility) { $0.flags = [.userPresent, .userVerified, .backedUp] }
        refused(.backupEligibilityChanged) { $0.flags = [.userPresent, .userVerified, .backupEligible] }
        refused(.userHandleMismatch) { $0.userHandle = Array(0..<16) }
        refused(.credentialMismatch) { $0.credentialID = Array(repeating: 9, count: 16) }
        refused(.authenticatorData("an assertion carries attested credential data")) { $0.attested = true }
    }

    @Test("malformed JSON forms are refused before any cryptography")
    func malformedForms() throws {
        let credential = SoftwareCredential()
        let good = Self.assertion(credential)
        let stored = try Self.stored(credential)
        #expect(throws: WebAuthnError.response("`type` is not public-key")) {
            try Self.verify(AuthenticationResponseJSON(id: good.id, rawId: good.rawId, type: "password", response: good.response), stored)
        }
        #expect(throws: WebAuthnError.response("`id` is not `rawId` in base64url")) {
            try Self.verify(AuthenticationResponseJSON(id: "AAAA", rawId: good.rawId, response: good.response), stored)
        }
        let badSignature = AuthenticatorAssertionResponseJSON(
            clientDataJSON: good.response.clientDataJSON, authenticatorData: good.response.authenticatorData, signature: "not base64url!",
            userHandle: good.response.userHandle)
        #expect(throws: WebAuthnError.response("`signature` is not base64url")) {
            try Self.verify(AuthenticationResponseJSON(id: good.id, rawId: good.rawId, response: badSignature), stored)
        }
    }
}
