import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing
import WebAuthn
import WebAuthnTestSupport
@testable import Gateway

/// The site the test gateway runs passkey ceremonies for.
enum PasskeyTestSite {
    static let relyingPartyID = "hospital.example"
    static let origin = "https://hospital.example"
    static let settings = PasskeySettings(port: 0, relyingPartyID: relyingPartyID, origins: [origin])

    static func authenticator() -> SoftwareAuthenticator {
        SoftwareAuthenticator(origin: origin, rpID: relyingPartyID)
    }
}

extension TestClientProtocol {
    /// Runs registration from options to verify with `authenticator`, and returns the verify answer.
    func registerPasskey(
        _ authenticator: SoftwareAuthenticator, token: String, name: String? = nil, flags: AuthenticatorFlags = [.userPresent, .userVerified]
    ) async throws -> APIAnswer {
        let options = try await call(.post, "/v1/webauthn/register/options", token: token)
        let challenge = try #require(options["challenge"] as? String, "register/options answered \(options.status)")
        var body: [String: Any] = ["credential": authenticator.registration(challenge: challenge, flags: flags)]
        if let name { body["name"] = name }
        return try await call(.post, "/v1/webauthn/register/verify", token: token, json: body)
    }

    /// Signs in with `authenticator`'s passkey, discoverably (no email) unless `email` is given.
    func passkeySignIn(
        _ authenticator: SoftwareAuthenticator, userID: String, signCount: UInt32, email: String? = nil,
        flags: AuthenticatorFlags = [.userPresent, .userVerified]
    ) async throws -> APIAnswer {
        let options = try await call(.post, "/v1/webauthn/login/options", json: email.map { ["email": $0] } ?? [:])
        let challenge = try #require(options["challenge"] as? String)
        let assertion = authenticator.assertion(
            challenge: challenge, signCount: signCount, userHandle: UserHandle.bytes(of: try #require(UUID(uuidString: userID))), flags: flags)
        return try await call(.post, "/v1/webauthn/login/verify", json: ["credential": assertion])
    }

    /// Steps up the session of `token` with `authenticator`'s passkey.
    func stepUp(_ authenticator: SoftwareAuthenticator, token: String, signCount: UInt32) async throws -> APIAnswer {
        let options = try await call(.post, "/v1/webauthn/step-up/options", token: token)
        let challenge = try #require(options["challenge"] as? String, "step-up/options answered \(options.status)")
        let assertion = authenticator.assertion(challenge: challenge, signCount: signCount, userHandle: nil)
        return try await call(.post, "/v1/webauthn/step-up/verify", token: token, json: ["credential": assertion])
    }
}

extension SignedEntry {
    /// The entry's clear payload field, as text.
    func payloadText(_ key: String) -> String? {
        guard case .clear(.object(let fields)) = entry.payload, case .string(let text)? = fields[key] else { return nil }
        return text
    }
}
