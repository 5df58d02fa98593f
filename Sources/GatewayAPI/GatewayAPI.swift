import Foundation

/// The gateway's OpenAPI contract, as served at `/openapi.yaml`.
public enum GatewayContract {
    /// The raw bytes of `openapi.yaml`, bundled with this module.
    public static func document() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
