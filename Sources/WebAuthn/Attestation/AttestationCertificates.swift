import Crypto
import Foundation
import SwiftASN1
// The fixed-time initializer is the one swift-certificates provides for checking validity at a given instant rather
// than at the wall clock, which is what `AttestationInput.now` asks for.
@_spi(FixedExpiryValidationTime) import X509
import _CryptoExtras

/// Reads the fields of an `attStmt` map whose syntax (a CDDL map with text keys and no wildcard) admits only the
/// keys a format lists, so a field that is not part of the syntax makes the statement malformed.
struct AttestationStatementFields {
    private let fields: [String: CBORValue]
    private let format: String

    /// Checks that `statement` is a map with text keys drawn from `allowed` (the decoder has already ruled out
    /// duplicate keys).
    init(_ statement: CBORValue, format: String, allowed: Set<String>) throws(WebAuthnError) {
        guard let entries = statement.map else { throw .attestation(format: format, "attStmt is not a map") }
        var fields: [String: CBORValue] = [:]
        for entry in entries {
            guard let key = entry.key.text else { throw .attestation(format: format, "attStmt has a key that is not text") }
            guard allowed.contains(key) else { throw .attestation(format: format, "attStmt has a field \(key) that the format does not define") }
            fields[key] = entry.value
        }
        self.fields = fields
        self.format = format
    }

    /// The value of an optional field.
    subscript(key: String) -> CBORValue? { fields[key] }

    /// The value of a field the syntax requires.
    func required(_ key: String) throws(WebAuthnError) -> CBORValue {
        guard let value = fields[key] else { throw .attestation(format: format, "attStmt has no \(key)") }
        return value
    }

    /// A required byte-string field (`sig`).
    func bytes(_ key: String) throws(WebAuthnError) -> [UInt8] {
        guard let bytes = try required(key).bytes else { throw .attestation(format: format, "\(key) is not a byte string") }
        return bytes
    }

    /// The required `alg` field: an integer naming one of the accepted algorithms.
    func algorithm() throws(WebAuthnError) -> COSEAlgorithm {
        guard let alg = try required("alg").int else { throw .attestation(format: format, "alg is not an integer") }
        guard let algorithm = COSEAlgorithm(rawValue: alg) else { throw .unsupportedAlgorithm(alg) }
        return algorithm
    }
}

/// Certificate checks that several attestation formats share: reading `x5c`, checking an attestation signature with
/// a certificate's key, the FIDO AAGUID extension, and validating the chain against the caller's trust anchors.
enum AttestationCertificates {
    /// The most certificates an `x5c` may hold. Authenticator chains are two or three long; the bound keeps the
    /// path building of a hostile statement small.
    static let maximumChainLength = 8

    /// `id-fido-gen-ce-aaguid`: the AAGUID of the authenticator model a certificate attests.
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    /// Parses `x5c`: a non-empty array of DER certificates, the attestation certificate first, then the chain that
    /// issued it.
    static func parse(x5c value: CBORValue, format: String) throws(WebAuthnError) -> [Certificate] {
        guard let items = value.array else { throw .attestation(format: format, "x5c is not an array") }
        guard !items.isEmpty else { throw .attestation(format: format, "x5c is empty") }
        guard items.count <= maximumChainLength else {
            throw .attestation(format: format, "x5c holds more than \(maximumChainLength) certificates")
        }
        var certificates: [Certificate] = []
        for (index, item) in items.enumerated() {
            guard let der = item.bytes else { throw .attestation(format: format, "x5c[\(index)] is not a byte string") }
            do {
                certificates.append(try Certificate(derEncoded: der))
            } catch {
                throw .attestation(format: format, "x5c[\(index)] is not a DER X.509 certificate")
            }
        }
        return certificates
    }

    /// Checks that `signature` is the signature of `certificate`'s key over `data` by `algorithm`: ECDSA P-256 with
    /// SHA-256 (DER signature) for ES256, Ed25519 for EdDSA, RSA of 2048 bits or more with PKCS #1 v1.5 or PSS and
    /// SHA-256 for RS256 and PS256.
    ///
    /// Throws `.attestation` when the key is not of the kind `algorithm` uses (the statement contradicts itself),
    /// `.badSignature` when the signature does not verify.
    static func verifySignature(
        _ signature: [UInt8], over data: [UInt8], by certificate: Certificate, algorithm: COSEAlgorithm, format: String
    ) throws(WebAuthnError) {
        let valid: Bool
        switch algorithm {
        case .es256:
            guard let key = P256.Signing.PublicKey(certificate.publicKey) else {
                throw .attestation(format: format, "alg is ES256 but the attestation certificate's key is not on P-256")
            }
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { throw .badSignature }
            valid = key.isValidSignature(parsed, for: data)
        case .edDSA:
            guard let key = Curve25519.Signing.PublicKey(certificate.publicKey) else {
                throw .attestation(format: format, "alg is EdDSA but the attestation certificate's key is not Ed25519")
            }
            valid = key.isValidSignature(signature, for: data)
        case .rs256, .ps256:
            guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
                throw .attestation(format: format, "alg is RS256 or PS256 but the attestation certificate's key is not RSA")
            }
            // The same floor as for credential keys: shorter RSA keys are not accepted anywhere.
            guard key.keySizeInBits >= 2048 else {
                throw .attestation(format: format, "the attestation certificate's RSA key is shorter than 2048 bits")
            }
            let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
            valid = key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: padding)
        }
        guard valid else { throw .badSignature }
    }

    /// When `certificate` carries the `id-fido-gen-ce-aaguid` extension, checks that it is not critical and that it
    /// holds `aaguid`: a 16-byte OCTET STRING, itself wrapped in the extension's OCTET STRING.
    static func checkAAGUIDExtension(of certificate: Certificate, matches aaguid: [UInt8], format: String) throws(WebAuthnError) {
        guard let ext = certificate.extensions[oid: aaguidExtension] else { return }
        guard !ext.critical else { throw .attestation(format: format, "the AAGUID extension (1.3.6.1.4.1.45724.1.1.4) is marked critical") }
        let value: ArraySlice<UInt8>
        do {
            value = try ASN1OctetString(derEncoded: ext.value).bytes
        } catch {
            throw .attestation(format: format, "the AAGUID extension does not hold an OCTET STRING")
        }
        guard value.count == 16 else { throw .attestation(format: format, "the AAGUID extension does not hold 16 bytes") }
        guard Array(value) == aaguid else {
            throw .attestation(format: format, "the AAGUID extension does not match the AAGUID in the authenticator data")
        }
    }

    /// Validates `chain` (the attestation certificate first, then the certificates the statement sent with it) up to
    /// one of `anchors` by RFC 5280 at `time`, and returns the validated path from the attestation certificate to the
    /// anchor.
    ///
    /// `checkedByFormat` names critical extensions of the attestation certificate that the format's own procedure
    /// has already enforced (a TPM AIK certificate's subject alternative name, say), so that validation does not
    /// refuse them as unknown. Any other critical extension RFC 5280 validation does not process is refused.
    ///
    /// Throws `.attestationNotTrusted` when no anchors are configured, when a certificate carries a critical extension
    /// nothing processes, or when no path to an anchor validates (wrong issuer, bad signature, a certificate outside
    /// its validity period, an issuer that is not a CA...).
    static func validateChain(
        _ chain: [Certificate], anchors: [Certificate], at time: Date, format: String,
        checkedByFormat: [ASN1ObjectIdentifier] = []
    ) async throws(WebAuthnError) -> [Certificate] {
        guard let leaf = chain.first else { throw .attestation(format: format, "x5c is empty") }
        // Refusing is the only safe answer without anchors: a chain that ends nowhere proves nothing.
        guard !anchors.isEmpty else { throw .attestationNotTrusted(format: format, "no trust anchors are configured for this format") }
        let rfc5280 = RFC5280Policy(fixedExpiryValidationTime: time)
        // The verifier refuses such chains too, but without saying why; naming the cause makes the refusal
        // actionable. The format's checks cover the attestation certificate only, so only its extensions are excused.
        let understood = rfc5280.verifyingCriticalExtensions
        for (index, certificate) in chain.enumerated() {
            let excused = index == 0 ? checkedByFormat : []
            if certificate.extensions.contains(where: { $0.critical && !understood.contains($0.oid) && !excused.contains($0.oid) }) {
                throw .attestationNotTrusted(format: format, "x5c[\(index)] has a critical extension that is not understood")
            }
        }
        let checked = CheckedByFormat(verifyingCriticalExtensions: checkedByFormat)
        let intermediates = Array(chain.dropFirst())
        var verifier = Verifier(rootCertificates: CertificateStore(anchors)) {
            rfc5280
            checked
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate(let validated):
            return Array(validated)
        case .couldNotValidate(let failures):
            guard let failure = failures.first else {
                throw .attestationNotTrusted(format: format, "x5c does not chain to a trust anchor configured for this format")
            }
            throw .attestationNotTrusted(format: format, "the chain to a trust anchor fails RFC 5280 validation: \(failure.policyFailureReason)")
        }
    }

    /// Declares the critical extensions a format has checked itself as processed; it adds no requirement.
    private struct CheckedByFormat: VerifierPolicy {
        let verifyingCriticalExtensions: [ASN1ObjectIdentifier]

        func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult { .meetsPolicy }
    }
}
