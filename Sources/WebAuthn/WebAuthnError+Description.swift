extension WebAuthnError: CustomStringConvertible {
    /// A one-line account of the failed check, for logs, ledger entries and problem details. It never carries key
    /// material or the challenge.
    public var description: String {
        switch self {
        case .clientData(let detail): "client data: \(detail)"
        case .wrongCeremonyType(let expected, let found): "client data type is \(found), expected \(expected)"
        case .challengeMismatch: "the challenge is not the one issued"
        case .originNotAllowed(let origin): "origin \(origin) is not allowed"
        case .crossOriginNotAllowed: "cross-origin ceremonies are not allowed"
        case .topOriginNotAllowed(let origin): "top origin \(origin) is not allowed"
        case .cbor(let name, let error): "\(name) is not valid CBOR: \(error)"
        case .authenticatorData(let detail): "authenticator data: \(detail)"
        case .backedUpWithoutEligibility: "the credential is backed up (BS) without being backup eligible (BE)"
        case .coseKey(let detail): "credential public key: \(detail)"
        case .unsupportedAlgorithm(let algorithm): "COSE algorithm \(algorithm) is not accepted"
        case .badSignature: "the signature does not verify"
        case .attestationObject(let detail): "attestation object: \(detail)"
        case .attestation(let format, let detail): "\(format) attestation: \(detail)"
        case .attestationNotTrusted(let format, let detail): "\(format) attestation is not trusted: \(detail)"
        case .response(let detail): "response: \(detail)"
        case .rpIDMismatch: "the authenticator data is for another relying party (RP ID hash)"
        case .userNotPresent: "the user was not present (UP flag not set)"
        case .userNotVerified: "the user was not verified (UV flag not set) and verification is required"
        case .credentialMismatch: "the credential is not the one expected"
        case .attestationFormatNotAccepted(let format): "attestation format \(format) is not accepted"
        case .backupEligibilityChanged: "the backup eligibility (BE) of the credential changed since registration"
        case .signCountRegression(let stored, let received):
            "the signature counter went from \(stored) to \(received): the authenticator may have been cloned"
        case .userHandleMismatch: "the user handle is not the account's"
        }
    }
}
