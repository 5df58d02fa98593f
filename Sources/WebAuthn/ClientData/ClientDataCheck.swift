import Crypto

/// The client-data steps of both ceremonies (WebAuthn §7.1 steps 7-10, §7.2 steps 11-14): the ceremony type, the
/// challenge, the origin and, for framed ceremonies, the top-level origin.
public enum ClientDataCheck {
    /// Parses and checks `clientDataJSON`; returns the parsed data and its SHA-256, which the authenticator signed.
    public static func verify(
        _ clientDataJSON: [UInt8], type expectedType: String, challenge expectedChallenge: [UInt8], relyingParty: RelyingParty
    ) throws(WebAuthnError) -> (clientData: CollectedClientData, hash: [UInt8]) {
        let clientData = try CollectedClientData(json: clientDataJSON)
        guard clientData.type == expectedType else { throw .wrongCeremonyType(expected: expectedType, found: clientData.type) }
        guard constantTimeEqual(clientData.challenge, expectedChallenge) else { throw .challengeMismatch }
        guard relyingParty.origins.contains(clientData.origin) else { throw .originNotAllowed(clientData.origin) }
        if clientData.crossOrigin {
            guard relyingParty.allowsCrossOrigin else { throw .crossOriginNotAllowed }
            if let top = clientData.topOrigin, !relyingParty.topOrigins.contains(top) { throw .topOriginNotAllowed(top) }
        } else if let top = clientData.topOrigin, top != clientData.origin {
            // A top-level origin that differs from the origin means the ceremony was framed, whatever crossOrigin says.
            guard relyingParty.allowsCrossOrigin, relyingParty.topOrigins.contains(top) else { throw .topOriginNotAllowed(top) }
        }
        return (clientData, Array(SHA256.hash(data: clientDataJSON)))
    }

    /// Compares without stopping at the first difference, so timing does not reveal how much of a challenge matched.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
