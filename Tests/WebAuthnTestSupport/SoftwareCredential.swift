import Crypto
import Foundation
import WebAuthn

/// A credential key pair made in the test, with the encodings an authenticator would produce for it.
public struct SoftwareCredential: Sendable {
    public let privateKey: P256.Signing.PrivateKey
    public let credentialID: [UInt8]
    public let aaguid: [UInt8]

    public init(credentialID: [UInt8] = Array(0..<16), aaguid: [UInt8] = [UInt8](repeating: 0, count: 16)) {
        privateKey = P256.Signing.PrivateKey()
        self.credentialID = credentialID
        self.aaguid = aaguid
    }

    /// The COSE_Key of the public key (ES256), as authenticators encode it.
    public var coseKey: [UInt8] {
        let point = Array(privateKey.publicKey.x963Representation)
        return CBOREncoding.encode(CBOREncoding.map([
            (.unsigned(1), .unsigned(2)), (.unsigned(3), CBORValue(-7)), (CBORValue(-1), .unsigned(1)),
            (CBORValue(-2), .bytes(Array(point[1...32]))), (CBORValue(-3), .bytes(Array(point[33...64]))),
        ]))
    }

    /// Authenticator data for `rpID` with the given flags and count; with attested credential data (this credential)
    /// when `attested`.
    public func authenticatorData(
        rpID: String = "hospital.example", flags: AuthenticatorFlags = [.userPresent, .userVerified], signCount: UInt32 = 0,
        attested: Bool = true, extensions: [UInt8]? = nil
    ) -> [UInt8] {
        var flags = flags
        if attested { flags.insert(.attestedCredentialData) }
        if extensions != nil { flags.insert(.extensionData) }
        var bytes = Array(SHA256.hash(data: Array(rpID.utf8)))
        bytes.append(flags.rawValue)
        bytes += withUnsafeBytes(of: signCount.bigEndian, Array.init)
        if attested {
            bytes += aaguid + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)] + credentialID + coseKey
        }
        if let extensions { bytes += extensions }
        return bytes
    }

    /// A DER ECDSA signature over `data` with the credential key.
    public func sign(_ data: [UInt8]) -> [UInt8] {
        Array(try! privateKey.signature(for: data).derRepresentation)
    }
}
