/// The attestation statement formats this library verifies, by their `fmt` identifier.
public enum AttestationFormats {
    static let all: [any AttestationFormat.Type] = [
        NoneAttestation.self, PackedAttestation.self, FIDOU2FAttestation.self, TPMAttestation.self, AndroidKeyAttestation.self,
        AppleAttestation.self,
    ]

    /// Every supported format's identifier.
    public static let identifiers: Set<String> = Set(all.map { $0.identifier })

    /// The format with this `fmt` identifier, if supported.
    public static func format(_ identifier: String) -> (any AttestationFormat.Type)? {
        all.first { $0.identifier == identifier }
    }
}
