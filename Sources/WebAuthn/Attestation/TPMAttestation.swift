import SwiftASN1
import X509

/// The `tpm` attestation statement format (WebAuthn Level 3, §8.3): a TPM certifies the credential key with its
/// attestation identity key (AIK), whose certificate chains to the TPM maker.
///
/// The statement is `{ver: "2.0", alg, x5c: [aikCert, caCert...], sig, certInfo, pubArea}`. Verification checks
/// that `pubArea` holds the credential key, that `certInfo` is a `TPM2_Certify` result over `pubArea` carrying
/// the hash of `authenticatorData || clientDataHash`, that `sig` is the AIK's signature over `certInfo`, that the
/// AIK certificate meets §8.3.1, and that `x5c` validates to one of the caller's `tpm` trust anchors.
public enum TPMAttestation: AttestationFormat {
    /// The `fmt` value of this format.
    public static let identifier = "tpm"

    /// `tcg-kp-AIKCertificate` (2.23.133.8.3): the extended key usage of an AIK certificate.
    static let aikCertificateUsage: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]
    /// `tcg-at-tpmManufacturer`, `tcg-at-tpmModel`, `tcg-at-tpmVersion` (TPM 2.0 EK profile, 3.2.9).
    static let tpmManufacturer: ASN1ObjectIdentifier = [2, 23, 133, 2, 1]
    static let tpmModel: ASN1ObjectIdentifier = [2, 23, 133, 2, 2]
    static let tpmVersion: ASN1ObjectIdentifier = [2, 23, 133, 2, 3]
    /// `id-fido-gen-ce-aaguid` (1.3.6.1.4.1.45724.1.1.4): the authenticator model an attestation certificate is for.
    static let fidoAAGUID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    /// Runs §8.3's verification procedure; a statement that passes is `.certified` by its validated AIK chain.
    public static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust {
        let fields = try AttestationStatementFields(input.statement, format: identifier, allowed: ["ver", "alg", "x5c", "sig", "certInfo", "pubArea"])
        guard fields["ver"]?.text == "2.0" else { throw .attestation(format: identifier, "ver is not \"2.0\"") }
        let algorithm = try AttestationKeys.SignatureAlgorithm.named(fields["alg"], format: identifier)
        guard let signature = fields["sig"]?.bytes else { throw .attestation(format: identifier, "sig is missing or not a byte string") }
        guard let certInfoBytes = fields["certInfo"]?.bytes else {
            throw .attestation(format: identifier, "certInfo is missing or not a byte string")
        }
        guard let pubAreaBytes = fields["pubArea"]?.bytes else {
            throw .attestation(format: identifier, "pubArea is missing or not a byte string")
        }
        // Level 3 has no ECDAA, so x5c is required.
        let chain = try AttestationCertificates.parse(x5c: try fields.required("x5c"), format: identifier)
        let credential = try input.credential

        // The key in pubArea's parameters and unique fields is the credential public key.
        let pubArea = try TPMPublicArea(pubAreaBytes)
        guard try pubArea.publicKey == AttestationKeys.credentialPublicKey(credential) else {
            throw .attestation(format: identifier, "pubArea's key is not the credential public key")
        }

        // certInfo is a TPM2_Certify result (magic and type are checked while parsing) over this pubArea, for
        // this ceremony: extraData is the hash of attToBeSigned with alg's hash.
        let certInfo = try TPMCertifyInfo(certInfoBytes)
        guard let expectedExtraData = algorithm.digest(input.authenticatorData.bytes + input.clientDataHash) else {
            // EdDSA names no hash to compute extraData with, and TPMs do not sign with it.
            throw .unsupportedAlgorithm(algorithm.rawValue)
        }
        guard certInfo.extraData == expectedExtraData else {
            throw .attestation(format: identifier, "certInfo's extraData is not the hash of authenticatorData and clientDataHash")
        }
        guard try certInfo.name == pubArea.name else {
            throw .attestation(format: identifier, "certInfo's attested name is not the Name of pubArea")
        }

        let aikCertificate = chain[0]
        guard algorithm.isValidSignature(signature, over: certInfoBytes, by: aikCertificate.publicKey) else { throw .badSignature }
        try checkAIKCertificate(aikCertificate, aaguid: credential.aaguid)

        let path = try await AttestationCertificates.validateChain(
            chain, anchors: input.trustAnchors, at: input.now, format: identifier,
            // Checked above on the AIK certificate: the SAN (critical, as the subject is empty) and the EKU.
            checkedByFormat: [.X509ExtensionID.subjectAlternativeName, .X509ExtensionID.extendedKeyUsage])
        return .certified(chain: path)
    }

    /// The AIK certificate requirements (§8.3.1): version 3, an empty subject, the TPM's identity in the subject
    /// alternative name, the AIK extended key usage, not a CA, and, when it names an authenticator model, the
    /// credential's.
    static func checkAIKCertificate(_ certificate: Certificate, aaguid: [UInt8]) throws(WebAuthnError) {
        guard certificate.version == .v3 else { throw .attestation(format: identifier, "aikCert is not version 3") }
        guard certificate.subject.isEmpty else { throw .attestation(format: identifier, "aikCert's subject is not empty") }
        try checkSubjectAlternativeName(certificate)

        let usage: ExtendedKeyUsage?
        do {
            usage = try certificate.extensions.extendedKeyUsage
        } catch {
            throw .attestation(format: identifier, "aikCert's extended key usage cannot be read")
        }
        guard let usage, usage.contains(ExtendedKeyUsage.Usage(oid: aikCertificateUsage)) else {
            throw .attestation(format: identifier, "aikCert's extended key usage lacks tcg-kp-AIKCertificate (2.23.133.8.3)")
        }

        // RFC 5280 reads a certificate without basic constraints as an end entity, which is what the requirement
        // (CA false) asks for, so absence passes and only a CA certificate fails.
        let constraints: BasicConstraints?
        do {
            constraints = try certificate.extensions.basicConstraints
        } catch {
            throw .attestation(format: identifier, "aikCert's basic constraints cannot be read")
        }
        if case .isCertificateAuthority = constraints {
            throw .attestation(format: identifier, "aikCert's basic constraints make it a CA")
        }

        if let value = AttestationKeys.extensionValue(fidoAAGUID, in: certificate) {
            guard let octets = try? ASN1OctetString(derEncoded: value), octets.bytes.count == 16 else {
                throw .attestation(format: identifier, "aikCert's AAGUID extension is not a 16-byte OCTET STRING")
            }
            guard Array(octets.bytes) == aaguid else {
                throw .attestation(format: identifier, "aikCert's AAGUID extension does not match the credential's AAGUID")
            }
        }
    }

    /// The subject alternative name of the TPM 2.0 EK profile (3.2.9): critical, since the subject is empty, and a
    /// directory name giving the TPM manufacturer (`id:` and its four-byte vendor id in hex), model and version.
    private static func checkSubjectAlternativeName(_ certificate: Certificate) throws(WebAuthnError) {
        guard let sanExtension = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName] else {
            throw .attestation(format: identifier, "aikCert has no subject alternative name")
        }
        guard sanExtension.critical else {
            throw .attestation(format: identifier, "aikCert's subject alternative name is not critical though its subject is empty")
        }
        let names: SubjectAlternativeNames
        do {
            names = try SubjectAlternativeNames(sanExtension)
        } catch {
            throw .attestation(format: identifier, "aikCert's subject alternative name cannot be read")
        }
        // The attributes may come as one multi-valued RDN or as one RDN each; both spell the same name.
        var attributes: [ASN1ObjectIdentifier: [String]] = [:]
        for name in names {
            guard case .directoryName(let directoryName) = name else { continue }
            for rdn in directoryName {
                for attribute in rdn {
                    attributes[attribute.type, default: []].append(String(attribute.value) ?? "")
                }
            }
        }
        for (oid, label) in [(tpmManufacturer, "manufacturer"), (tpmModel, "model"), (tpmVersion, "version")] {
            guard let values = attributes[oid], values.count == 1, let value = values.first, !value.isEmpty else {
                throw .attestation(format: identifier, "aikCert's subject alternative name does not give the TPM \(label) once")
            }
            if oid == tpmManufacturer {
                let vendor = value.utf8.dropFirst(3)
                guard value.hasPrefix("id:"), vendor.count == 8, vendor.allSatisfy({ isHexDigit($0) }) else {
                    throw .attestation(format: identifier, "aikCert's TPM manufacturer is not \"id:\" and eight hex digits")
                }
            }
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
