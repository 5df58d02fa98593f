/// What the relying party stored for a credential, to check an assertion against.
public struct StoredCredential: Sendable, Equatable {
    public let credentialID: [UInt8]
    public let publicKey: COSEKey
    public let signCount: UInt32
    public let backupEligible: Bool
    /// The account's user handle, which a discoverable credential's assertion must carry unchanged.
    public let userHandle: [UInt8]

    public init(credentialID: [UInt8], publicKey: COSEKey, signCount: UInt32, backupEligible: Bool, userHandle: [UInt8]) {
        self.credentialID = credentialID
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.userHandle = userHandle
    }
}

/// An assertion that verified: what to update in the stored credential.
public struct VerifiedAssertion: Sendable, Equatable {
    public let credentialID: [UInt8]
    public let signCount: UInt32
    public let userVerified: Bool
    public let backedUp: Bool
}

/// Verifies authentication responses (WebAuthn §7.2).
public enum AuthenticationVerifier {
    /// Verifies `response` against the challenge issued for it and the credential it names. A signature counter
    /// that did not increase throws `signCountRegression`, so that the caller refuses the sign-in and raises an
    /// alert: both counters at zero means the authenticator keeps none, which is allowed.
    public static func verify(
        _ response: AuthenticationResponseJSON, expectedChallenge: [UInt8], relyingParty: RelyingParty, credential: StoredCredential,
        policy: VerificationPolicy
    ) throws(WebAuthnError) -> VerifiedAssertion {
        guard response.type == "public-key" else { throw .response("`type` is not public-key") }
        let rawID = try decodeMember(response.rawId, "rawId")
        guard response.id == Base64URL.encode(rawID) else { throw .response("`id` is not `rawId` in base64url") }
        guard rawID == credential.credentialID else { throw .credentialMismatch }
        if let handle = response.response.userHandle {
            guard try decodeMember(handle, "userHandle") == credential.userHandle else { throw .userHandleMismatch }
        }
        let clientDataJSON = try decodeMember(response.response.clientDataJSON, "clientDataJSON")
        let (_, clientDataHash) = try ClientDataCheck.verify(
            clientDataJSON, type: "webauthn.get", challenge: expectedChallenge, relyingParty: relyingParty)
        let authenticatorBytes = try decodeMember(response.response.authenticatorData, "authenticatorData")
        let authenticatorData = try AuthenticatorData(authenticatorBytes)
        guard authenticatorData.attestedCredential == nil else { throw .authenticatorData("an assertion carries attested credential data") }
        try CeremonyChecks.authenticatorData(authenticatorData, relyingParty: relyingParty, policy: policy)
        guard authenticatorData.flags.contains(.backupEligible) == credential.backupEligible else { throw .backupEligibilityChanged }
        let signature = try decodeMember(response.response.signature, "signature")
        guard credential.publicKey.isValidSignature(signature, for: authenticatorBytes + clientDataHash) else { throw .badSignature }
        let received = authenticatorData.signCount
        if received != 0 || credential.signCount != 0, received <= credential.signCount {
            throw .signCountRegression(stored: credential.signCount, received: received)
        }
        return VerifiedAssertion(
            credentialID: rawID, signCount: received, userVerified: authenticatorData.flags.contains(.userVerified),
            backedUp: authenticatorData.flags.contains(.backedUp))
    }
}
