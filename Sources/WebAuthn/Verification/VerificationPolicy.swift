import Foundation

/// What a relying party requires of a ceremony beyond the specification's fixed checks.
public struct VerificationPolicy: Sendable {
    /// Whether the authenticator must have verified the user (PIN or biometrics): the UV flag.
    public var requireUserVerification: Bool
    /// Attestation formats accepted at registration; `none` and self attestation only prove possession.
    public var acceptedFormats: Set<String>
    /// Roots that attestation certificate chains may end in, per format.
    public var trustAnchors: TrustAnchors
    /// The verification time for attestation certificates.
    public var now: @Sendable () -> Date

    public init(
        requireUserVerification: Bool, acceptedFormats: Set<String> = AttestationFormats.identifiers, trustAnchors: TrustAnchors = TrustAnchors(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.requireUserVerification = requireUserVerification
        self.acceptedFormats = acceptedFormats
        self.trustAnchors = trustAnchors
        self.now = now
    }
}
