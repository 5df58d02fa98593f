import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing
import WebAuthn
@testable import Gateway

@Suite("Access-token misuse, against the running gateway with a live session")
struct TokenMisuseTests {
    private func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    @Test("alg none, HS256 keyed with the public key, expired, wrong audience and wrong issuer are all refused with 401")
    func misuse() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let tokenKey = Ed25519SigningKey.generate()
        let ledgerKeys = TestAccounts.configure(signingKey)
        let configure: @Sendable (inout GatewayConfiguration) -> Void = { configuration in
            ledgerKeys(&configuration)
            configuration.keys.tokenKeyInline = PKCS8Ed25519.pem(for: tokenKey)
        }
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure) { client in
                let token = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                let genuine = try #require(try AccessTokenVerifier(
                    keys: [tokenKey.keyID: tokenKey.publicKey], issuer: "phi-ledger-gateway", audience: "phi-ledger-api"
                ).verify(token, now: Int64(Date().timeIntervalSince1970)))
                #expect(try await client.call(.get, "/v1/auth/me", token: token).status == .ok)
                let signer = AccessTokenSigner(key: tokenKey)
                let parts = token.split(separator: ".").map(String.init)
                let kid = tokenKey.keyID

                let none = segment(#"{"alg":"none","kid":"\#(kid)","typ":"at+jwt"}"#)
                let hs = segment(#"{"alg":"HS256","kid":"\#(kid)","typ":"at+jwt"}"#)
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data("\(hs).\(parts[1])".utf8), using: SymmetricKey(data: tokenKey.publicKey.bytes))
                var expired = genuine
                expired.issuedAt -= 3600
                expired.expiresAt = Int64(Date().timeIntervalSince1970) - 120
                var otherAudience = genuine
                otherAudience.audience = "another-api"
                var otherIssuer = genuine
                otherIssuer.issuer = "https://evil.example"

                let misused = [
                    "alg none": "\(none).\(parts[1]).",
                    "HS256 with the public key": "\(hs).\(parts[1]).\(Base64URL.encode(Array(mac)))",
                    "expired": try signer.sign(expired),
                    "wrong audience": try signer.sign(otherAudience),
                    "wrong issuer": try signer.sign(otherIssuer),
                ]
                for (what, forged) in misused {
                    let answer = try await client.call(.get, "/v1/auth/me", token: forged)
                    #expect(answer.status == .unauthorized, "\(what) was accepted")
                    #expect(answer.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                }
                #expect(try await client.call(.get, "/v1/auth/me", token: token).status == .ok, "the genuine token still works")
            }
        }
    }
}
