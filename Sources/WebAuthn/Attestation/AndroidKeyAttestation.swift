import X509

/// The `android-key` attestation statement format (WebAuthn Level 3, §8.4): Android Keystore certifies the
/// credential key in a certificate whose key attestation extension records the challenge it was made for and the
/// key's authorizations.
///
/// The statement is `{alg, sig, x5c: [credCert, caCert...]}`. Verification checks that `sig` is a signature over
/// `authenticatorData || clientDataHash` by credCert's key, that this key is the credential public key, that the
/// extension's `attestationChallenge` is `clientDataHash`, that neither authorization list grants
/// `allApplications`, that the key was generated in the keystore (`KM_ORIGIN_GENERATED`) for signing only
/// (`KM_PURPOSE_SIGN`), and that `x5c` validates to one of the caller's `android-key` trust anchors.
public enum AndroidKeyAttestation: AttestationFormat {
    /// The `fmt` value of this format.
    public static let identifier = "android-key"

    /// `KM_ORIGIN_GENERATED`: the key was generated in the keystore, never imported.
    static let originGenerated = 0
    /// `KM_PURPOSE_SIGN`.
    static let purposeSign = 2

    /// Verifies with the union of the `softwareEnforced` and `teeEnforced` lists for origin and purpose, the
    /// specification's default.
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        try await verify(input, requireTrustedExecutionEnvironment: false)
    }

    /// Verifies the statement; with `requireTrustedExecutionEnvironment`, origin and purpose are read from the
    /// `teeEnforced` list alone, so that only keys held in secure hardware pass, as §8.4 allows a relying party
    /// to require.
    public static func verify(_ input: AttestationInput, requireTrustedExecutionEnvironment: Bool) async throws(WebAuthnError) -> AttestationTrust {
        let fields = try AttestationStatementFields(input.statement, format: identifier, allowed: ["alg", "sig", "x5c"])
        let algorithm = try AttestationKeys.SignatureAlgorithm.named(fields["alg"], format: identifier)
        guard let signature = fields["sig"]?.bytes else { throw .attestation(format: identifier, "sig is missing or not a byte string") }
        let chain = try AttestationCertificates.parse(x5c: try fields.required("x5c"), format: identifier)
        let credential = try input.credential
        let credentialCertificate = chain[0]

        let signed = input.authenticatorData.bytes + input.clientDataHash
        guard algorithm.isValidSignature(signature, over: signed, by: credentialCertificate.publicKey) else { throw .badSignature }
        guard try AttestationKeys.certificate(credentialCertificate, holds: credential) else {
            throw .attestation(format: identifier, "credCert's public key is not the credential public key")
        }

        guard let value = AttestationKeys.extensionValue(AndroidKeyDescription.oid, in: credentialCertificate) else {
            throw .attestation(format: identifier, "credCert has no key attestation extension (1.3.6.1.4.1.11129.2.1.17)")
        }
        guard let description = AndroidKeyDescription(derEncoded: value) else {
            throw .attestation(format: identifier, "credCert's key attestation extension is not a valid KeyDescription")
        }
        guard description.attestationChallenge == input.clientDataHash else {
            throw .attestation(format: identifier, "the attestationChallenge is not clientDataHash")
        }
        // A key usable by all applications is not scoped to the RP ID.
        guard !description.softwareEnforced.allApplications, !description.teeEnforced.allApplications else {
            throw .attestation(format: identifier, "an authorization list grants allApplications")
        }

        let lists = requireTrustedExecutionEnvironment
            ? [description.teeEnforced] : [description.teeEnforced, description.softwareEnforced]
        // Keymaster puts each authorization in one list; should both carry a field, both must pass.
        let origins = lists.compactMap(\.origin)
        guard !origins.isEmpty, origins.allSatisfy({ $0 == originGenerated }) else {
            throw .attestation(format: identifier, "the key's origin is not KM_ORIGIN_GENERATED")
        }
        let purposes = lists.compactMap(\.purposes)
        guard !purposes.isEmpty, purposes.allSatisfy({ Set($0) == [purposeSign] }) else {
            throw .attestation(format: identifier, "the key's purpose is not KM_PURPOSE_SIGN")
        }

        let path = try await AttestationCertificates.validateChain(
            chain, anchors: input.trustAnchors, at: input.now, format: identifier,
            // Read and checked above, should a keystore mark it critical.
            checkedByFormat: [AndroidKeyDescription.oid])
        return .certified(chain: path)
    }
}
