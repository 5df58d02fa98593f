/// The flags byte of authenticator data (WebAuthn §6.1).
public struct AuthenticatorFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// User present: someone touched the authenticator.
    public static let userPresent = AuthenticatorFlags(rawValue: 0x01)
    /// User verified: by PIN or biometrics.
    public static let userVerified = AuthenticatorFlags(rawValue: 0x04)
    /// Backup eligible: the credential may be synced (a multi-device passkey).
    public static let backupEligible = AuthenticatorFlags(rawValue: 0x08)
    /// Backed up: the credential is synced now.
    public static let backedUp = AuthenticatorFlags(rawValue: 0x10)
    /// Attested credential data follows the sign count.
    public static let attestedCredentialData = AuthenticatorFlags(rawValue: 0x40)
    /// An extensions map ends the data.
    public static let extensionData = AuthenticatorFlags(rawValue: 0x80)
}
