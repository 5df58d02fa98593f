import Foundation
import HTTPTypes
import Hummingbird

/// `/console`: the one small page that lets a person enrol, sign in with a password or a passkey, manage their
/// passkeys and step up, in a real browser. Plain files shipped with the gateway, read once at start-up, served
/// with a Content-Security-Policy that allows nothing but themselves and calls to this origin.
struct ConsolePage: Sendable {
    struct Asset: Sendable {
        let contentType: String
        let body: ByteBuffer
    }

    /// By path under `/console`: "" is the page itself.
    let assets: [String: Asset]

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy,
         "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (.cacheControl, "no-store"),
    ]

    static func bundled() throws -> ConsolePage {
        guard let folder = Bundle.module.url(forResource: "Console", withExtension: nil) else {
            throw ConsoleMissing()
        }
        func load(_ name: String, _ type: String) throws -> Asset {
            Asset(contentType: type, body: ByteBuffer(bytes: try Data(contentsOf: folder.appendingPathComponent(name))))
        }
        return ConsolePage(assets: [
            "": try load("console.html", "text/html; charset=utf-8"),
            "console.js": try load("console.js", "text/javascript; charset=utf-8"),
            "console.css": try load("console.css", "text/css; charset=utf-8"),
        ])
    }

    struct ConsoleMissing: Error, CustomStringConvertible {
        var description: String { "the console's files are missing from the gateway's bundle" }
    }

    func register(on router: Router<GatewayRequestContext>) {
        for (path, asset) in assets {
            router.get(RouterPath(path.isEmpty ? "/console" : "/console/\(path)")) { _, _ -> Response in
                var headers = HTTPFields()
                headers[.contentType] = asset.contentType
                for (name, value) in Self.securityHeaders { headers[name] = value }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
            }
        }
    }
}
