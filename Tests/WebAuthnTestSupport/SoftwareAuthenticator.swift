import Crypto
import Foundation
import WebAuthn

/// Answers ceremonies as a browser with a software authenticator would: `credential.toJSON()` forms, as
/// dictionaries ready to send as JSON. Each answer can be bent (origin, RP ID, flags, counter) to make the
/// failures a relying party must catch.
public struct SoftwareAuthenticator: Sendable {
    public let credential: SoftwareCredential
    public let origin: String
    public let rpID: String

    public init(origin: String, rpID: String, credentialID: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0 ... 255) }) {
        self.credential = SoftwareCredential(credentialID: credentialID)
        self.origin = origin
        self.rpID = rpID
    }

    public var credentialID: String { Base64URL.encode(credential.credentialID) }

    /// A registration answer with `none` attestation for the challenge (base64url) of creation options.
    public func registration(
        challenge: String, flags: AuthenticatorFlags = [.userPresent, .userVerified], origin: String? = nil, rpID: String? = nil
    ) -> [String: Any] {
        let clientData = clientDataJSON(type: "webauthn.create", challenge: challenge, origin: origin)
        let authenticatorData = credential.authenticatorData(rpID: rpID ?? self.rpID, flags: flags)
        let object = CBOREncoding.encode(CBOREncoding.map([
            (.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .bytes(authenticatorData)),
        ]))
        return [
            "id": credentialID, "rawId": credentialID, "type": "public-key", "authenticatorAttachment": "platform",
            "clientExtensionResults": [String: Any](),
            "response": [
                "clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(object), "transports": ["internal"],
            ],
        ]
    }

    /// An assertion for the challenge (base64url) of request options, carrying `userHandle` as a discoverable
    /// credential's would.
    public func assertion(
        challenge: String, signCount: UInt32, userHandle: [UInt8]?, flags: AuthenticatorFlags = [.userPresent, .userVerified],
        origin: String? = nil, rpID: String? = nil, signWith other: SoftwareCredential? = nil
    ) -> [String: Any] {
        let clientData = clientDataJSON(type: "webauthn.get", challenge: challenge, origin: origin)
        let authenticatorData = credential.authenticatorData(rpID: rpID ?? self.rpID, flags: flags, signCount: signCount, attested: false)
        let signature = (other ?? credential).sign(authenticatorData + Array(SHA256.hash(data: clientData)))
        var response: [String: Any] = [
            "clientDataJSON": Base64URL.encode(clientData), "authenticatorData": Base64URL.encode(authenticatorData),
            "signature": Base64URL.encode(signature),
        ]
        if let userHandle { response["userHandle"] = Base64URL.encode(userHandle) }
        return [
            "id": credentialID, "rawId": credentialID, "type": "public-key", "authenticatorAttachment": "platform",
            "clientExtensionResults": [String: Any](), "response": response,
        ]
    }

    private func clientDataJSON(type: String, challenge: String, origin: String?) -> [UInt8] {
        Array(try! JSONSerialization.data(
            withJSONObject: ["type": type, "challenge": challenge, "origin": origin ?? self.origin, "crossOrigin": false], options: [.sortedKeys]))
    }
}
