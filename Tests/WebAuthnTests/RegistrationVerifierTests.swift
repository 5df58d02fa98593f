import Crypto
import Foundation
import Testing
import WebAuthn
import WebAuthnTestSupport

@Suite("Registration: none and packed self attestation from a software authenticator, and every way they can be wrong")
struct RegistrationVerifierTests {
    static let relyingParty = RelyingParty(id: "hospital.example", origins: ["https://console.hospital.example"])
    static let challenge: [UInt8] = Array(50..<82)

    enum Statement { case none, packedSelf, packedSelfWrongSignature }

    /// What to change in an otherwise good registration.
    struct Tamper {
        var origin = "https://console.hospital.example"
        var type = "webauthn.create"
        var challenge = RegistrationVerifierTests.challenge
        var rpID = "hospital.example"
        var flags: AuthenticatorFlags = [.userPresent, .userVerified]
        var statement = Statement.none
        /// Replaces the attestation object's bytes after they are made.
        var attestationObject: (([UInt8]) -> [UInt8])?
        var authenticatorData: [UInt8]?
    }

    static func registration(_ credential: SoftwareCredential, _ tamper: Tamper = Tamper()) -> RegistrationResponseJSON {
        let clientData = Array(try! JSONSerialization.data(withJSONObject: [
            "type": tamper.type, "challenge": Base64URL.encode(tamper.challenge), "origin": tamper.origin,
        ]))
        let authData = tamper.authenticatorData ?? credential.authenticatorData(rpID: tamper.rpID, flags: tamper.flags)
        let statement: CBORValue
        switch tamper.statement {
        case .none:
            statement = .map([])
        case .packedSelf, .packedSelfWrongSignature:
            let signed = authData + Array(SHA256.hash(data: clientData))
            let signature = credential.sign(tamper.statement == .packedSelf ? signed : signed + [0])
            statement = CBOREncoding.map([(.text("alg"), CBORValue(-7)), (.text("sig"), .bytes(signature))])
        }
        let format = tamper.statement == .none ? "none" : "packed"
        var object = CBOREncoding.encode(CBOREncoding.map([
            (.text("fmt"), .text(format)), (.text("attStmt"), statement), (.text("authData"), .bytes(authData)),
        ]))
        if let change = tamper.attestationObject { object = change(object) }
        let id = Base64URL.encode(credential.credentialID)
        return RegistrationResponseJSON(id: id, rawId: id, response: AuthenticatorAttestationResponseJSON(
            clientDataJSON: Base64URL.encode(clientData), attestationObject: Base64URL.encode(object), transports: ["internal"]))
    }

    static func verify(_ response: RegistrationResponseJSON, requireUV: Bool = true) async throws -> RegisteredCredential {
        try await RegistrationVerifier.verify(
            response, expectedChallenge: challenge, relyingParty: relyingParty, policy: VerificationPolicy(requireUserVerification: requireUV))
    }

    @Test("none and packed self attestation register the credential with its key, flags and transports")
    func accepts() async throws {
        let credential = SoftwareCredential()
        let none = try await Self.verify(Self.registration(credential))
        #expect(none.credentialID == credential.credentialID && none.publicKeyBytes == credential.coseKey)
        #expect(none.attestationFormat == "none" && none.attestation == .none && none.transports == ["internal"] && none.userVerified)
        var packed = Tamper()
        packed.statement = .packedSelf
        let selfAttested = try await Self.verify(Self.registration(credential, packed))
        #expect(selfAttested.attestationFormat == "packed" && selfAttested.attestation == .selfAttestation)
        // The key registered verifies what the same authenticator signs later.
        let message = Array("later".utf8)
        #expect(selfAttested.publicKey.isValidSignature(credential.sign(message), for: message))
    }

    @Test("each wrong registration is refused with its own reason")
    func refuses() async throws {
        let credential = SoftwareCredential()
        func refused(_ expected: WebAuthnError, requireUV: Bool = true, _ change: (inout Tamper) -> Void) async {
            var tamper = Tamper()
            change(&tamper)
            let response = Self.registration(credential, tamper)
            await #expect(throws: expected) { try await Self.verify(response, requireUV: requireUV) }
        }
        await refused(.originNotAllowed("https://evil.example")) { $0.origin = "https://evil.example" }
        await refused(.wrongCeremonyType(expected: "webauthn.create", found: "webauthn.get")) { $0.type = "webauthn.get" }
        await refused(.challengeMismatch) { $0.challenge = Array(0..<32) }
        await refused(.rpIDMismatch) { $0.rpID = "evil.example" }
        await refused(.userNotPresent) { $0.flags = [.userVerified] }
        await refused(.userNotVerified) { $0.flags = [.userPresent] }
        await refused(.backedUpWithoutEligibility) { $0.flags = [.userPresent, .userVerified, .backedUp] }
        await refused(.badSignature) { $0.statement = .packedSelfWrongSignature }
        // Trailing bytes after the attestation object, and a duplicated key (four entries announced, "fmt" repeated).
        for change in [{ (object: [UInt8]) in object + [0x00] }, { object in
            [0xa4] + object.dropFirst() + CBOREncoding.encode(.text("fmt")) + CBOREncoding.encode(.text("none"))
        }] {
            var tamper = Tamper()
            tamper.attestationObject = change
            let response = Self.registration(credential, tamper)
            let error = await #expect(throws: WebAuthnError.self) { try await Self.verify(response) }
            switch error {
            case .cbor("attestation object", .trailingBytes)?, .cbor("attestation object", .duplicateMapKey)?: break
            default: Issue.record("expected trailing bytes or a duplicate key, got \(String(describing: error))")
            }
        }
        await refused(.attestationObject("it must hold exactly fmt (text), attStmt (map) and authData (bytes)")) { tamper in
            tamper.attestationObject = { _ in CBOREncoding.encode(CBOREncoding.map([(.text("fmt"), .text("none"))])) }
        }
        await refused(.attestationFormatNotAccepted("made-up")) { tamper in
            tamper.attestationObject = { object in
                CBOREncoding.encode(CBOREncoding.map([
                    (.text("fmt"), .text("made-up")), (.text("attStmt"), .map([])),
                    (.text("authData"), .bytes(credential.authenticatorData())),
                ]))
            }
        }
        // An algorithm outside the allow-list (ES384) in the credential key.
        let es384Key = CBOREncoding.encode(CBOREncoding.map([
            (.unsigned(1), .unsigned(2)), (.unsigned(3), CBORValue(-35)), (CBORValue(-1), .unsigned(2)),
            (CBORValue(-2), .bytes(Array(repeating: 1, count: 48))), (CBORValue(-3), .bytes(Array(repeating: 2, count: 48))),
        ]))
        var authData = Array(credential.authenticatorData().prefix(37 + 18 + credential.credentialID.count))
        authData += es384Key
        await refused(.unsupportedAlgorithm(-35)) { $0.authenticatorData = authData }
    }

    @Test("hostile CBOR is refused cleanly: deep nesting, oversized input, indefinite lengths")
    func hostileCBOR() async throws {
        let credential = SoftwareCredential()
        for (name, bytes) in [
            ("deep", [UInt8](repeating: 0x81, count: 10_000) + [0x00]),
            ("oversized", [0x5a, 0x00, 0x01, 0x00, 0x01] + [UInt8](repeating: 0, count: 65_537)),
            ("indefinite", [0xbf, 0x63] + Array("fmt".utf8) + [0x64] + Array("none".utf8) + [0xff]),
        ] {
            var tamper = Tamper()
            tamper.attestationObject = { _ in bytes }
            let response = Self.registration(credential, tamper)
            let error = await #expect(throws: WebAuthnError.self, "\(name)") { try await Self.verify(response) }
            guard case .cbor("attestation object", _)? = error else {
                Issue.record("\(name): expected a CBOR refusal, got \(String(describing: error))")
                continue
            }
        }
    }
}
