import Crypto

/// A credential that passed registration: what a relying party stores to verify its assertions later.
public struct RegisteredCredential: Sendable, Equatable {
    public let credentialID: [UInt8]
    public let publicKey: COSEKey
    /// The COSE key bytes as the authenticator encoded them.
    public let publicKeyBytes: [UInt8]
    public let signCount: UInt32
    public let aaguid: [UInt8]
    public let userVerified: Bool
    public let backupEligible: Bool
    public let backedUp: Bool
    public let transports: [String]
    public let attestationFormat: String
    public let attestation: AttestationTrust
}

/// Verifies registration responses (WebAuthn §7.1).
public enum RegistrationVerifier {
    /// Verifies `response` against the challenge issued for it. Returns the credential to store, or throws the
    /// check that failed.
    public static func verify(
        _ response: RegistrationResponseJSON, expectedChallenge: [UInt8], relyingParty: RelyingParty, policy: VerificationPolicy
    ) async throws(WebAuthnError) -> RegisteredCredential {
        guard response.type == "public-key" else { throw .response("`type` is not public-key") }
        let rawID = try decodeMember(response.rawId, "rawId")
        guard response.id == Base64URL.encode(rawID) else { throw .response("`id` is not `rawId` in base64url") }
        let clientDataJSON = try decodeMember(response.response.clientDataJSON, "clientDataJSON")
        let (_, clientDataHash) = try ClientDataCheck.verify(
            clientDataJSON, type: "webauthn.create", challenge: expectedChallenge, relyingParty: relyingParty)
        let object = try AttestationObject(try decodeMember(response.response.attestationObject, "attestationObject"))
        let authenticatorData = object.authenticatorData
        try CeremonyChecks.authenticatorData(authenticatorData, relyingParty: relyingParty, policy: policy)
        guard let credential = authenticatorData.attestedCredential else {
            throw .authenticatorData("a registration carries no attested credential data")
        }
        guard credential.credentialID == rawID else { throw .credentialMismatch }
        guard policy.acceptedFormats.contains(object.format), let format = AttestationFormats.format(object.format) else {
            throw .attestationFormatNotAccepted(object.format)
        }
        let trust = try await format.verify(AttestationInput(
            statement: object.statement, authenticatorData: authenticatorData, clientDataHash: clientDataHash,
            trustAnchors: policy.trustAnchors.anchors(for: object.format), now: policy.now()))
        return RegisteredCredential(
            credentialID: credential.credentialID, publicKey: credential.publicKey, publicKeyBytes: credential.publicKeyBytes,
            signCount: authenticatorData.signCount, aaguid: credential.aaguid,
            userVerified: authenticatorData.flags.contains(.userVerified),
            backupEligible: authenticatorData.flags.contains(.backupEligible), backedUp: authenticatorData.flags.contains(.backedUp),
            transports: response.response.transports ?? [], attestationFormat: object.format, attestation: trust)
    }
}

/// The authenticator-data checks both ceremonies share.
enum CeremonyChecks {
    static func authenticatorData(_ data: AuthenticatorData, relyingParty: RelyingParty, policy: VerificationPolicy) throws(WebAuthnError) {
        guard ClientDataCheck.constantTimeEqual(data.rpIDHash, Array(SHA256.hash(data: Array(relyingParty.id.utf8)))) else {
            throw .rpIDMismatch
        }
        // User presence is required always; the specification leaves no option to skip it.
        guard data.flags.contains(.userPresent) else { throw .userNotPresent }
        if policy.requireUserVerification, !data.flags.contains(.userVerified) { throw .userNotVerified }
    }
}
