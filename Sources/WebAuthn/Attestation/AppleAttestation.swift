import Crypto
import SwiftASN1
import X509

/// The `apple` attestation statement format (Apple Anonymous Attestation, WebAuthn Level 3, §8.8): Apple's
/// anonymization CA issues a certificate for the credential key, binding it to this registration by a nonce in an
/// extension; there is no separate signature.
///
/// The statement is `{x5c: [credCert, caCert...]}`. Verification checks that the extension
/// 1.2.840.113635.100.8.2 of credCert holds SHA-256(`authenticatorData || clientDataHash`), that credCert's key
/// is the credential public key, and that `x5c` validates to one of the caller's `apple` trust anchors.
public enum AppleAttestation: AttestationFormat {
    /// The `fmt` value of this format.
    public static let identifier = "apple"

    /// The extension carrying the nonce: `SEQUENCE { nonce [1] EXPLICIT OCTET STRING }`.
    static let nonceExtension: ASN1ObjectIdentifier = [1, 2, 840, 113635, 100, 8, 2]

    /// Runs §8.8's verification procedure; a statement that passes is `.certified` by its validated chain.
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        let fields = try AttestationStatementFields(input.statement, format: identifier, allowed: ["x5c"])
        let chain = try AttestationCertificates.parse(x5c: try fields.required("x5c"), format: identifier)
        let credential = try input.credential
        let credentialCertificate = chain[0]

        let expectedNonce = Array(SHA256.hash(data: input.authenticatorData.bytes + input.clientDataHash))
        guard let value = AttestationKeys.extensionValue(nonceExtension, in: credentialCertificate) else {
            throw .attestation(format: identifier, "credCert has no nonce extension (1.2.840.113635.100.8.2)")
        }
        guard let nonce = nonce(in: value) else {
            throw .attestation(format: identifier, "credCert's nonce extension is not a SEQUENCE holding [1] OCTET STRING")
        }
        guard nonce == expectedNonce else {
            throw .attestation(format: identifier, "the nonce is not SHA-256 of authenticatorData and clientDataHash")
        }
        guard try AttestationKeys.certificate(credentialCertificate, holds: credential) else {
            throw .attestation(format: identifier, "credCert's public key is not the credential public key")
        }

        let path = try await AttestationCertificates.validateChain(
            chain, anchors: input.trustAnchors, at: input.now, format: identifier,
            checkedByFormat: [nonceExtension])
        return .certified(chain: path)
    }

    /// The nonce of the extension value, parsed with DER rules and nothing else allowed in the sequence.
    private static func nonce(in value: ArraySlice<UInt8>) -> [UInt8]? {
        try? DER.sequence(DER.parse(value), identifier: .sequence) { nodes in
            try DER.explicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { node in
                Array(try ASN1OctetString(derEncoded: node).bytes)
            }
        }
    }
}
