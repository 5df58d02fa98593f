import SwiftASN1
import X509

/// The `packed` attestation statement format (WebAuthn §8.2): a signature over the authenticator data and the client
/// data hash, made either by the credential key itself (self attestation) or by an attestation key whose certificate
/// heads `x5c` (basic or attestation-CA attestation).
public enum PackedAttestation: AttestationFormat {
    public static let identifier = "packed"

    /// The literal Subject-OU of a packed attestation certificate (§8.2.1).
    static let attestationOrganizationalUnit = "Authenticator Attestation"

    /// Runs the §8.2 verification procedure.
    ///
    /// Without `x5c`: checks that `alg` is the credential key's algorithm and that `sig` verifies with the credential
    /// key; returns `.selfAttestation`. With `x5c`: checks `sig` with the attestation certificate's key by `alg`, the
    /// certificate requirements of §8.2.1, the AAGUID extension when present, and the chain against
    /// `input.trustAnchors`; returns `.certified`. `ecdaaKeyId` (ECDAA, removed from the specification) is refused.
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        // ECDAA was dropped in Level 3 and nothing verifies it; saying so beats calling it an unknown field.
        if input.statement["ecdaaKeyId"] != nil {
            throw .attestation(format: identifier, "ECDAA attestation (ecdaaKeyId) is not supported")
        }
        let fields = try AttestationStatementFields(input.statement, format: identifier, allowed: ["alg", "sig", "x5c"])
        let algorithm = try fields.algorithm()
        let signature = try fields.bytes("sig")
        let credential = try input.credential
        let signedData = input.authenticatorData.bytes + input.clientDataHash

        guard let x5c = fields["x5c"] else {
            guard algorithm == credential.publicKey.algorithm else {
                throw .attestation(format: identifier, "alg does not match the algorithm of the credential public key")
            }
            guard credential.publicKey.isValidSignature(signature, for: signedData) else { throw .badSignature }
            return .selfAttestation
        }

        let chain = try AttestationCertificates.parse(x5c: x5c, format: identifier)
        let attestationCertificate = chain[0]
        try AttestationCertificates.verifySignature(
            signature, over: signedData, by: attestationCertificate, algorithm: algorithm, format: identifier)
        try checkCertificateRequirements(attestationCertificate)
        try AttestationCertificates.checkAAGUIDExtension(of: attestationCertificate, matches: credential.aaguid, format: identifier)
        let path = try await AttestationCertificates.validateChain(
            chain, anchors: input.trustAnchors, at: input.now, format: identifier)
        return .certified(chain: path)
    }

    /// The packed attestation certificate requirements (§8.2.1): version 3; a subject with C, O, OU "Authenticator
    /// Attestation" and CN; a Basic Constraints extension saying it is not a CA. The AAGUID extension is checked
    /// separately, against the authenticator data.
    static func checkCertificateRequirements(_ certificate: Certificate) throws(WebAuthnError) {
        guard certificate.version == .v3 else { throw .attestation(format: identifier, "the attestation certificate is not version 3") }

        let subject = certificate.subject.flatMap { $0 }
        func values(_ type: ASN1ObjectIdentifier) -> [String?] {
            subject.filter { $0.type == type }.map { String($0.value) }
        }
        // Each attribute once: two values would leave it open which one the vendor meant.
        let country = values(.RDNAttributeType.countryName)
        guard country.count == 1, let code = country[0], code.count == 2, code.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw .attestation(format: identifier, "the attestation certificate's subject has no single two-letter country (C)")
        }
        let organization = values(.RDNAttributeType.organizationName)
        guard organization.count == 1, let name = organization[0], !name.isEmpty else {
            throw .attestation(format: identifier, "the attestation certificate's subject has no single organization (O)")
        }
        let unit = values(.RDNAttributeType.organizationalUnitName)
        guard unit.count == 1, unit[0] == attestationOrganizationalUnit else {
            throw .attestation(format: identifier, "the attestation certificate's subject OU is not \"Authenticator Attestation\"")
        }
        let commonName = values(.RDNAttributeType.commonName)
        guard commonName.count == 1, let common = commonName[0], !common.isEmpty else {
            throw .attestation(format: identifier, "the attestation certificate's subject has no single common name (CN)")
        }

        let constraints: BasicConstraints?
        do {
            constraints = try certificate.extensions.basicConstraints
        } catch {
            throw .attestation(format: identifier, "the attestation certificate's Basic Constraints cannot be decoded")
        }
        switch constraints {
        case .notCertificateAuthority:
            break
        case .isCertificateAuthority:
            throw .attestation(format: identifier, "the attestation certificate is a CA (Basic Constraints CA is true)")
        case nil:
            throw .attestation(format: identifier, "the attestation certificate has no Basic Constraints extension")
        }
    }
}
