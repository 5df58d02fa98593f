/// Who the relying party is, as a ceremony's client data and authenticator data must show it.
public struct RelyingParty: Sendable, Equatable {
    /// The RP ID: a registrable domain suffix of the origins (`hospital.example`, or `localhost`).
    public let id: String
    /// The exact origins ceremonies may run in (`https://console.hospital.example`): an allow-list, compared as
    /// strings, never as patterns.
    public let origins: Set<String>
    /// Whether a ceremony in a cross-origin iframe is accepted; refused unless the relying party opts in.
    public let allowsCrossOrigin: Bool
    /// When cross-origin ceremonies are allowed, the top-level origins they may be embedded in.
    public let topOrigins: Set<String>

    public init(id: String, origins: Set<String>, allowsCrossOrigin: Bool = false, topOrigins: Set<String> = []) {
        self.id = id
        self.origins = origins
        self.allowsCrossOrigin = allowsCrossOrigin
        self.topOrigins = topOrigins
    }
}
