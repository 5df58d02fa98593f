import SwiftASN1

/// The Android key attestation extension (OID 1.3.6.1.4.1.11129.2.1.17), the `KeyDescription` of the Android key
/// attestation schema, reduced to what WebAuthn §8.4 checks. Parsed with DER rules:
///
///     KeyDescription ::= SEQUENCE {
///         attestationVersion INTEGER, attestationSecurityLevel SecurityLevel,
///         keyMintVersion INTEGER, keyMintSecurityLevel SecurityLevel,
///         attestationChallenge OCTET STRING, uniqueId OCTET STRING,
///         softwareEnforced AuthorizationList, hardwareEnforced AuthorizationList }
///
/// (`hardwareEnforced` is WebAuthn's `teeEnforced`; `SecurityLevel` is an ENUMERATED.)
struct AndroidKeyDescription: Equatable {
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    let attestationVersion: Int
    let attestationSecurityLevel: Int
    let attestationChallenge: [UInt8]
    let softwareEnforced: AndroidAuthorizationList
    let teeEnforced: AndroidAuthorizationList

    /// Parses the extension's value; nil when it is not a well-formed `KeyDescription`.
    init?(derEncoded bytes: ArraySlice<UInt8>) {
        do {
            let root = try DER.parse(bytes)
            self = try DER.sequence(root, identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                let securityLevel = try Int(derEncoded: &nodes, withIdentifier: .enumerated)
                _ = try Int(derEncoded: &nodes)
                _ = try Int(derEncoded: &nodes, withIdentifier: .enumerated)
                let challenge = try ASN1OctetString(derEncoded: &nodes)
                _ = try ASN1OctetString(derEncoded: &nodes)
                guard let software = nodes.next(), let tee = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "an authorization list is missing")
                }
                return AndroidKeyDescription(
                    attestationVersion: version, attestationSecurityLevel: securityLevel,
                    attestationChallenge: Array(challenge.bytes),
                    softwareEnforced: try AndroidAuthorizationList(software),
                    teeEnforced: try AndroidAuthorizationList(tee))
            }
        } catch {
            return nil
        }
    }

    private init(
        attestationVersion: Int, attestationSecurityLevel: Int, attestationChallenge: [UInt8],
        softwareEnforced: AndroidAuthorizationList, teeEnforced: AndroidAuthorizationList
    ) {
        self.attestationVersion = attestationVersion
        self.attestationSecurityLevel = attestationSecurityLevel
        self.attestationChallenge = attestationChallenge
        self.softwareEnforced = softwareEnforced
        self.teeEnforced = teeEnforced
    }
}

/// An `AuthorizationList`: a SEQUENCE of optional fields, each `[tag] EXPLICIT`. Only the fields §8.4 reads are
/// decoded: `purpose [1] SET OF INTEGER`, `allApplications [600] NULL` and `origin [702] INTEGER`.
///
/// Every element must be a constructed context-specific tag wrapping exactly one value, and no tag may appear
/// twice (two `origin` fields would leave the check ambiguous). Tags this code does not read are skipped, since
/// each KeyMint version adds some; their order is not enforced, as it bears on no check made here.
struct AndroidAuthorizationList: Equatable {
    static let purposeTag: UInt = 1
    static let allApplicationsTag: UInt = 600
    static let originTag: UInt = 702

    /// The key's purposes (`KM_PURPOSE_*`), when listed.
    let purposes: [Int]?
    /// The key's origin (`KM_ORIGIN_*`), when listed.
    let origin: Int?
    /// Whether the key may be used by every application: present, it would make the credential usable beyond its
    /// RP ID.
    let allApplications: Bool

    init(_ node: ASN1Node) throws {
        guard node.identifier == .sequence, case .constructed(let elements) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        var seen: Set<UInt> = []
        var purposes: [Int]?
        var origin: Int?
        var allApplications = false
        for element in elements {
            let tag = element.identifier.tagNumber
            guard element.identifier.tagClass == .contextSpecific else { throw ASN1Error.unexpectedFieldType(element.identifier) }
            guard seen.insert(tag).inserted else { throw ASN1Error.invalidASN1Object(reason: "tag [\(tag)] appears twice") }
            // Explicit tagging: the tag is constructed and holds exactly one element.
            try DER.explicitlyTagged(element, tagNumber: tag, tagClass: .contextSpecific) { inner in
                switch tag {
                case Self.purposeTag:
                    guard inner.identifier == .set, case .constructed(let members) = inner.content else {
                        throw ASN1Error.unexpectedFieldType(inner.identifier)
                    }
                    purposes = try members.map { try Int(derEncoded: $0) }
                case Self.allApplicationsTag:
                    _ = try ASN1Null(derEncoded: inner)
                    allApplications = true
                case Self.originTag:
                    origin = try Int(derEncoded: inner)
                default:
                    break
                }
            }
        }
        self.purposes = purposes
        self.origin = origin
        self.allApplications = allApplications
    }
}
