/// A registration response in the browser's JSON form (`PublicKeyCredential.toJSON()` after `create()`,
/// RegistrationResponseJSON in WebAuthn Level 3): binary members are base64url.
public struct RegistrationResponseJSON: Decodable, Sendable, Equatable {
    public let id: String
    public let rawId: String
    public let type: String
    public let response: AuthenticatorAttestationResponseJSON
    public let authenticatorAttachment: String?

    public init(id: String, rawId: String, type: String = "public-key", response: AuthenticatorAttestationResponseJSON,
                authenticatorAttachment: String? = nil) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
    }
}

/// The `response` member of a registration response.
public struct AuthenticatorAttestationResponseJSON: Decodable, Sendable, Equatable {
    public let clientDataJSON: String
    public let attestationObject: String
    /// Where the authenticator can be reached (`internal`, `usb`, `hybrid`...), to hint at sign-in.
    public let transports: [String]?

    public init(clientDataJSON: String, attestationObject: String, transports: [String]? = nil) {
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.transports = transports
    }
}

/// An authentication response in the browser's JSON form (AuthenticationResponseJSON).
public struct AuthenticationResponseJSON: Decodable, Sendable, Equatable {
    public let id: String
    public let rawId: String
    public let type: String
    public let response: AuthenticatorAssertionResponseJSON

    public init(id: String, rawId: String, type: String = "public-key", response: AuthenticatorAssertionResponseJSON) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
    }
}

/// The `response` member of an authentication response.
public struct AuthenticatorAssertionResponseJSON: Decodable, Sendable, Equatable {
    public let clientDataJSON: String
    public let authenticatorData: String
    public let signature: String
    /// The user handle of a discoverable credential.
    public let userHandle: String?

    public init(clientDataJSON: String, authenticatorData: String, signature: String, userHandle: String? = nil) {
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }
}

/// Decodes a base64url member, naming it when it is not valid.
func decodeMember(_ text: String, _ name: String) throws(WebAuthnError) -> [UInt8] {
    guard let bytes = Base64URL.decode(text) else { throw .response("`\(name)` is not base64url") }
    return bytes
}
