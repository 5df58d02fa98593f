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
}
