import Foundation
import X509

/// What an attestation statement was shown to prove.
public enum AttestationTrust: Sendable, Equatable {
    /// Format `none`: nothing is claimed about the authenticator.
    case none
    /// Signed by the credential's own key: proves possession, says nothing about the authenticator's make.
    case selfAttestation
    /// A certificate chain from the statement to one of the caller's trust anchors; `chain` starts with the
    /// attestation certificate and ends with the anchor.
    case certified(chain: [Certificate])
}

/// What verifying one attestation statement needs: the statement, the data it signs over, and what to trust.
public struct AttestationInput: Sendable {
    /// The `attStmt` map of the attestation object.
    public let statement: CBORValue
    public let authenticatorData: AuthenticatorData
    /// SHA-256 of `clientDataJSON`.
    public let clientDataHash: [UInt8]
    /// Roots the attestation chains may end in, for this statement's format.
    public let trustAnchors: [Certificate]
    /// The time certificates must be valid at: injectable, so certificate checks can be tested.
    public let now: Date

    public init(statement: CBORValue, authenticatorData: AuthenticatorData, clientDataHash: [UInt8], trustAnchors: [Certificate], now: Date) {
        self.statement = statement
        self.authenticatorData = authenticatorData
        self.clientDataHash = clientDataHash
        self.trustAnchors = trustAnchors
        self.now = now
    }

    /// The credential being registered: every format's statement is about it.
    public var credential: AttestedCredentialData {
        get throws(WebAuthnError) {
            guard let credential = authenticatorData.attestedCredential else {
                throw .authenticatorData("a registration carries no attested credential data")
            }
            return credential
        }
    }
}

/// One attestation statement format (WebAuthn §8): its verification procedure.
public protocol AttestationFormat: Sendable {
    /// The `fmt` identifier (`packed`, `tpm`...).
    static var identifier: String { get }
    /// Runs the format's verification procedure; throws the check that failed.
    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationTrust
}

/// The caller's trust anchors, per attestation format: an empty or missing set means no chain of that format is
/// trusted, so such attestations are refused rather than accepted unchecked.
public struct TrustAnchors: Sendable {
    public let byFormat: [String: [Certificate]]

    public init(_ byFormat: [String: [Certificate]] = [:]) {
        self.byFormat = byFormat
    }

    public func anchors(for format: String) -> [Certificate] { byFormat[format] ?? [] }
}
