/// Authenticator data (WebAuthn §6.1), parsed strictly: the RP ID hash, flags, sign count, and, as the flags
/// announce them, attested credential data and extensions, with nothing left over.
public struct AuthenticatorData: Sendable, Equatable {
    public let rpIDHash: [UInt8]
    public let flags: AuthenticatorFlags
    public let signCount: UInt32
    public let attestedCredential: AttestedCredentialData?
    /// The extension outputs map, when the ED flag is set.
    public let extensions: CBORValue?
    /// The exact bytes, which the attestation and assertion signatures cover.
    public let bytes: [UInt8]

    /// The longest credential id the specification allows.
    public static let maximumCredentialIDLength = 1023

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else { throw .authenticatorData("it is shorter than 37 bytes") }
        rpIDHash = Array(bytes[0..<32])
        flags = AuthenticatorFlags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        self.bytes = bytes
        var offset = 37
        let decoder = CBORDecoder()
        if flags.contains(.attestedCredentialData) {
            guard bytes.count >= offset + 18 else { throw .authenticatorData("the attested credential data is cut short") }
            let aaguid = Array(bytes[offset..<offset + 16])
            let idLength = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard idLength <= Self.maximumCredentialIDLength else { throw .authenticatorData("the credential id is longer than 1023 bytes") }
            guard idLength > 0 else { throw .authenticatorData("the credential id is empty") }
            guard bytes.count >= offset + idLength else { throw .authenticatorData("the credential id is cut short") }
            let credentialID = Array(bytes[offset..<offset + idLength])
            offset += idLength
            let key: (value: CBORValue, consumed: Int)
            do {
                key = try decoder.decodePrefix(bytes[offset...])
            } catch {
                throw .cbor("credential public key", error)
            }
            let keyBytes = Array(bytes[offset..<offset + key.consumed])
            offset += key.consumed
            attestedCredential = AttestedCredentialData(
                aaguid: aaguid, credentialID: credentialID, publicKey: try COSEKey(key.value), publicKeyBytes: keyBytes)
        } else {
            attestedCredential = nil
        }
        if flags.contains(.extensionData) {
            let decoded: (value: CBORValue, consumed: Int)
            do {
                decoded = try decoder.decodePrefix(bytes[offset...])
            } catch {
                throw .cbor("extensions", error)
            }
            guard decoded.value.map != nil else { throw .authenticatorData("the extensions are not a map") }
            extensions = decoded.value
            offset += decoded.consumed
        } else {
            extensions = nil
        }
        guard offset == bytes.count else { throw .authenticatorData("\(bytes.count - offset) bytes follow the announced content") }
        // A credential cannot be backed up without being eligible for backup (§6.1.3).
        if flags.contains(.backedUp), !flags.contains(.backupEligible) { throw .backedUpWithoutEligibility }
    }
}

/// The credential a registration creates: its authenticator model (AAGUID), id and public key.
public struct AttestedCredentialData: Sendable, Equatable {
    public let aaguid: [UInt8]
    public let credentialID: [UInt8]
    public let publicKey: COSEKey
    /// The COSE key exactly as the authenticator encoded it, to store and compare.
    public let publicKeyBytes: [UInt8]
}
