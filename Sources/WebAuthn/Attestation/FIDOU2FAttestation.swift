import Crypto
import X509

/// The `fido-u2f` attestation statement format (WebAuthn §8.6): a FIDO U2F authenticator's registration signature,
/// made by its attestation key (one certificate, P-256) over the U2F registration data rebuilt from the
/// authenticator data.
public enum FIDOU2FAttestation: AttestationFormat {
    public static let identifier = "fido-u2f"

    /// Runs the §8.6 verification procedure, checks that the AAGUID is zero, and validates the attestation certificate
    /// against `input.trustAnchors`; returns `.certified`.
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        let fields = try AttestationStatementFields(input.statement, format: identifier, allowed: ["x5c", "sig"])
        let x5c = try AttestationCertificates.parse(x5c: try fields.required("x5c"), format: identifier)
        let signature = try fields.bytes("sig")
        guard x5c.count == 1 else { throw .attestation(format: identifier, "x5c does not hold exactly one certificate") }
        let attestationCertificate = x5c[0]
        guard let certificateKey = P256.Signing.PublicKey(attestationCertificate.publicKey) else {
            throw .attestation(format: identifier, "the attestation certificate's key is not an EC key on P-256")
        }

        let credential = try input.credential
        let publicKeyU2F = try rawP256Point(of: credential)

        // The U2F registration response signs 0x00 || application parameter || challenge parameter || key handle ||
        // user public key, which WebAuthn maps to the RP ID hash, the client data hash and the credential.
        let verificationData = [0x00] + input.authenticatorData.rpIDHash + input.clientDataHash + credential.credentialID + publicKeyU2F
        guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature),
              certificateKey.isValidSignature(parsed, for: verificationData) else { throw .badSignature }

        let path = try await AttestationCertificates.validateChain(x5c, anchors: input.trustAnchors, at: input.now, format: identifier)
        return .certified(chain: path)
    }

    /// The credential key in raw ANSI X9.62 form, `0x04 || x || y`, as U2F signs it. Only an ES256 key on P-256 has
    /// one: U2F knows no other kind.
    private static func rawP256Point(of credential: AttestedCredentialData) throws(WebAuthnError) -> [UInt8] {
        guard credential.publicKey.algorithm == .es256 else {
            throw .attestation(format: identifier, "the credential public key is not an ES256 key on P-256")
        }
        // `COSEKey` has checked the coordinates already; they are read back from the key as the authenticator sent it.
        guard let key = try? CBORDecoder().decode(credential.publicKeyBytes),
              let x = key[-2]?.bytes, x.count == 32, let y = key[-3]?.bytes, y.count == 32 else {
            throw .attestation(format: identifier, "the credential public key has no 32-byte x and y coordinates")
        }
        return [0x04] + x + y
    }
}
