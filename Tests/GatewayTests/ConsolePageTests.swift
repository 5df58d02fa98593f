import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import Gateway

@Suite("/console: the page and its two assets, served under a strict Content-Security-Policy")
struct ConsolePageTests {
    @Test("the page, its script and its style sheet are served with their types and the security headers")
    func served() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database) { client in
                for (path, type, marker) in [
                    ("/console", "text/html; charset=utf-8", #"<script type="module" src="/console/console.js">"#),
                    ("/console/console.js", "text/javascript; charset=utf-8", "/v1/webauthn/login/options"),
                    ("/console/console.css", "text/css; charset=utf-8", "{"),
                ] {
                    try await client.execute(uri: path, method: .get) { response in
                        #expect(response.status == .ok, "\(path)")
                        #expect(response.headers[.contentType] == type, "\(path)")
                        let policy = try #require(response.headers[.contentSecurityPolicy])
                        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"))
                        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                        #expect(String(buffer: response.body).contains(marker), "\(path)")
                    }
                }
                try await client.execute(uri: "/console/other.js", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("the page has no inline script, style or event handler, which the policy would block")
    func nothingInline() throws {
        let page = try ConsolePage.bundled()
        let html = String(buffer: try #require(page.assets[""]).body)
        #expect(!html.contains("<script>") && !html.contains("style=") && !html.contains("<style"))
        #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)
    }
}
