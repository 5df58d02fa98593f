import Crypto
import Foundation
import Ledger
import Testing
import WebAuthn
@testable import Gateway

@Suite("Access tokens: EdDSA JWTs, verified strictly")
struct AccessTokenTests {
    let key = Ed25519SigningKey.generate()
    let now: Int64 = 1_790_000_000

    var claims: AccessClaims {
        AccessClaims(
            issuer: "https://gateway.hospital.example", audience: "phi-ledger-api", subject: "user-1", sessionID: "session-1",
            issuedAt: now, expiresAt: now + 300, authTime: now - 10, authMethods: ["pwd"], tokenID: "t-1", roles: ["clinician"])
    }

    var verifier: AccessTokenVerifier {
        AccessTokenVerifier(keys: [key.keyID: key.publicKey], issuer: "https://gateway.hospital.example", audience: "phi-ledger-api")
    }

    private func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    @Test("a token the signer made verifies and gives back its claims")
    func roundTrip() throws {
        let token = try AccessTokenSigner(key: key).sign(claims)
        #expect(try verifier.verify(token, now: now + 1) == claims)
    }

    @Test("misuse is refused, each for its own reason")
    func misuse() throws {
        let token = try AccessTokenSigner(key: key).sign(claims)
        let parts = token.split(separator: ".").map(String.init)
        let kid = key.keyID

        // alg none, with and without a signature.
        let none = segment(#"{"alg":"none","kid":"\#(kid)","typ":"at+jwt"}"#)
        #expect(throws: AccessTokenError.unsupportedHeader) { try verifier.verify("\(none).\(parts[1]).", now: now) }
        #expect(throws: AccessTokenError.unsupportedHeader) { try verifier.verify("\(none).\(parts[1]).\(parts[2])", now: now) }

        // HS256 keyed with the public key (the classic algorithm confusion).
        let hs = segment(#"{"alg":"HS256","kid":"\#(kid)","typ":"at+jwt"}"#)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(hs).\(parts[1])".utf8), using: SymmetricKey(data: key.publicKey.bytes))
        #expect(throws: AccessTokenError.unsupportedHeader) { try verifier.verify("\(hs).\(parts[1]).\(Base64URL.encode(Array(mac)))", now: now) }

        // A header with anything more (a key URL to fetch, say), or another typ.
        let jku = segment(#"{"alg":"EdDSA","jku":"https://evil.example/jwks","kid":"\#(kid)","typ":"at+jwt"}"#)
        #expect(throws: AccessTokenError.unsupportedHeader) { try verifier.verify("\(jku).\(parts[1]).\(parts[2])", now: now) }
        let jwt = segment(#"{"alg":"EdDSA","kid":"\#(kid)","typ":"JWT"}"#)
        #expect(throws: AccessTokenError.unsupportedHeader) { try verifier.verify("\(jwt).\(parts[1]).\(parts[2])", now: now) }

        // Unknown kid: signed by a key the gateway does not hold.
        let stranger = try AccessTokenSigner(key: .generate()).sign(claims)
        #expect(throws: AccessTokenError.unknownKey) { try verifier.verify(stranger, now: now) }

        // A payload changed after signing.
        var changed = claims
        changed.roles = ["admin"]
        let forgedPayload = try AccessTokenSigner(key: key).sign(changed).split(separator: ".")[1]
        #expect(throws: AccessTokenError.badSignature) { try verifier.verify("\(parts[0]).\(forgedPayload).\(parts[2])", now: now) }

        // Expired, not yet valid, wrong audience, wrong issuer.
        #expect(throws: AccessTokenError.expired) { try verifier.verify(token, now: now + 300 + 31) }
        #expect(throws: AccessTokenError.notYetValid) { try verifier.verify(token, now: now - 60) }
        var otherAudience = claims
        otherAudience.audience = "another-api"
        #expect(throws: AccessTokenError.wrongAudience) { try verifier.verify(try AccessTokenSigner(key: key).sign(otherAudience), now: now) }
        var otherIssuer = claims
        otherIssuer.issuer = "https://evil.example"
        #expect(throws: AccessTokenError.wrongIssuer) { try verifier.verify(try AccessTokenSigner(key: key).sign(otherIssuer), now: now) }

        // Not a JWT at all: a refresh token, garbage, an oversized token.
        #expect(throws: AccessTokenError.malformed) { try verifier.verify(OpaqueToken.generate().text, now: now) }
        #expect(throws: AccessTokenError.malformed) { try verifier.verify("a.b.c", now: now) }
        #expect(throws: AccessTokenError.malformed) { try verifier.verify(String(repeating: "a", count: 5000), now: now) }
    }

    @Test("a token checked once is remembered by its digest, and its times are checked on every use")
    func remembered() throws {
        let verifier = verifier
        let token = try AccessTokenSigner(key: key).sign(claims)
        #expect(throws: AccessTokenError.notYetValid) { try verifier.verify(token, now: now - 60) }
        #expect(verifier.checked.count == 0)
        #expect(try verifier.verify(token, now: now + 1) == claims)
        #expect(verifier.checked.claims(for: VerifiedTokenCache.key(token)) == claims)
        #expect(try verifier.verify(token, now: now + 2) == claims)
        #expect(verifier.checked.count == 1)
        #expect(throws: AccessTokenError.expired) { try verifier.verify(token, now: now + 300 + 31) }
        #expect(throws: AccessTokenError.notYetValid) { try verifier.verify(token, now: now - 60) }

        // The same header and claims under another signature are other bytes: checked, and refused.
        let parts = token.split(separator: ".").map(String.init)
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[0] ^= 1
        #expect(throws: AccessTokenError.badSignature) {
            try verifier.verify("\(parts[0]).\(parts[1]).\(Base64URL.encode(signature))", now: now + 1)
        }
        #expect(verifier.checked.count == 1)
    }

    @Test("a full token cache drops the expired tokens first, then everything")
    func cacheBound() {
        let cache = VerifiedTokenCache(capacity: 2)
        var old = claims
        old.expiresAt = now - 100
        cache.remember(old, for: VerifiedTokenCache.key("old"), expiredBefore: now)
        cache.remember(claims, for: VerifiedTokenCache.key("live"), expiredBefore: now)
        cache.remember(claims, for: VerifiedTokenCache.key("new"), expiredBefore: now)
        #expect(cache.count == 2)
        #expect(cache.claims(for: VerifiedTokenCache.key("old")) == nil)
        #expect(cache.claims(for: VerifiedTokenCache.key("live")) == claims)
        cache.remember(claims, for: VerifiedTokenCache.key("newer"), expiredBefore: now)
        #expect(cache.count == 1)
        #expect(cache.claims(for: VerifiedTokenCache.key("newer")) == claims)
        cache.remember(claims, for: VerifiedTokenCache.key("newer"), expiredBefore: now)
        #expect(cache.count == 1)
    }
}
