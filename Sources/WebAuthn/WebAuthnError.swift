/// Why a WebAuthn response was refused. Each case names one check, so a relying party can log what failed and
/// a test can assert the exact reason; none carries secret material.
public enum WebAuthnError: Error, Equatable, Sendable {
    /// `clientDataJSON` is not what the specification defines; the text says what is wrong with it.
    case clientData(String)
    /// The ceremony type in the client data is not the one expected (`webauthn.create` for registration,
    /// `webauthn.get` for authentication).
    case wrongCeremonyType(expected: String, found: String)
    /// The client data carries a different challenge from the one issued.
    case challengeMismatch
    /// The origin is not one of the relying party's.
    case originNotAllowed(String)
    /// The ceremony ran in a cross-origin frame, which the relying party does not allow.
    case crossOriginNotAllowed
    /// The top-level origin of a framed ceremony is not allowed.
    case topOriginNotAllowed(String)
    /// A CBOR structure (named) could not be decoded.
    case cbor(String, CBORError)
    /// Authenticator data is malformed; the text says how.
    case authenticatorData(String)
    /// The BS flag is set without BE: a credential cannot be backed up without being eligible for backup.
    case backedUpWithoutEligibility
    /// A COSE key is malformed or not a key its algorithm allows.
    case coseKey(String)
    /// The key's algorithm is not one of those accepted (ES256, EdDSA, RS256, PS256).
    case unsupportedAlgorithm(Int64)
    /// A signature does not verify.
    case badSignature
    /// The attestation object is malformed, or its format is not one of those supported.
    case attestationObject(String)
    /// An attestation statement (format named) fails its format's verification procedure; the text names the step.
    case attestation(format: String, String)
    /// The attestation's certificate chain does not lead to a trust anchor supplied for its format, or a
    /// certificate in it is not valid at the verification time.
    case attestationNotTrusted(format: String, String)
    /// The response's JSON form is malformed (a member missing or not base64url, `type` not `public-key`, `id`
    /// not matching `rawId`).
    case response(String)
    /// The authenticator data is for another relying party: its RP ID hash is not SHA-256 of our RP ID.
    case rpIDMismatch
    /// The UP flag is not set: nobody was present at the authenticator.
    case userNotPresent
    /// The UV flag is not set where the policy requires user verification.
    case userNotVerified
    /// The credential is not the one the response names, or not the one expected.
    case credentialMismatch
    /// The attestation format is not accepted by the policy (or not supported at all).
    case attestationFormatNotAccepted(String)
    /// The backup-eligibility flag changed since registration, which a credential cannot do.
    case backupEligibilityChanged
    /// The signature counter did not increase: the credential may have been cloned.
    case signCountRegression(stored: UInt32, received: UInt32)
    /// The user handle of the assertion is not the account's.
    case userHandleMismatch
}
