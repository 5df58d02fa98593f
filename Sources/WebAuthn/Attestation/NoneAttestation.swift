/// The `none` attestation statement format (WebAuthn §8.7): the authenticator, or the client on the relying party's
/// request, says nothing about the authenticator, so there is nothing to verify beyond the statement being the
/// fixed empty map the syntax defines.
public enum NoneAttestation: AttestationFormat {
    public static let identifier = "none"

    /// Accepts only an empty `attStmt` map and returns `.none`: a statement with fields is not of this format, and
    /// accepting one would let anything pass as "no attestation".
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        guard let entries = input.statement.map else { throw .attestation(format: identifier, "attStmt is not a map") }
        guard entries.isEmpty else { throw .attestation(format: identifier, "attStmt is not the empty map") }
        return .none
    }
}
