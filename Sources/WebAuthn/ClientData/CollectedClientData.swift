import Foundation

/// The client data a browser signs over (WebAuthn §5.8.1), as parsed from `clientDataJSON`: what the ceremony
/// was, the challenge it answered, and the origin (and top-level origin, when framed) it ran in.
public struct CollectedClientData: Sendable, Equatable {
    /// `webauthn.create` or `webauthn.get`.
    public let type: String
    /// The challenge, decoded from base64url.
    public let challenge: [UInt8]
    public let origin: String
    public let crossOrigin: Bool
    public let topOrigin: String?

    /// Browsers send a few hundred bytes; a limit keeps a hostile client from making us parse megabytes.
    public static let maximumSize = 4096

    /// Parses `clientDataJSON`: a JSON object of at most `maximumSize` bytes whose `type`, `challenge` and
    /// `origin` are strings, `crossOrigin` a boolean if present, and `topOrigin` a string if present. Members the
    /// specification may add later are ignored, as it requires.
    public init(json: [UInt8]) throws(WebAuthnError) {
        guard json.count <= Self.maximumSize else { throw .clientData("it is larger than \(Self.maximumSize) bytes") }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(json))
        } catch {
            throw .clientData(Self.describe(error))
        }
        guard let challenge = Base64URL.decode(wire.challenge) else { throw .clientData("`challenge` is not base64url") }
        self.type = wire.type
        self.challenge = challenge
        self.origin = wire.origin
        self.crossOrigin = wire.crossOrigin ?? false
        self.topOrigin = wire.topOrigin
    }

    /// The members read; JSONDecoder refuses a number where a boolean belongs, and ignores unknown members.
    private struct Wire: Decodable {
        let type: String
        let challenge: String
        let origin: String
        let crossOrigin: Bool?
        let topOrigin: String?
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "`\(key.stringValue)` is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "`\(context.codingPath.map(\.stringValue).joined(separator: "."))` has the wrong type"
        default: "it is not a JSON object"
        }
    }
}
