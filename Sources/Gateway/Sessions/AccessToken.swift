import Foundation
import Ledger
import WebAuthn

/// The claims of an access token (a JWT, RFC 9068 profile: `typ` `at+jwt`, signed with EdDSA / Ed25519).
struct AccessClaims: Sendable, Equatable {
    var issuer: String
    var audience: String
    /// The user id.
    var subject: String
    /// The session id: every request checks that this session is still live, so revocation is immediate.
    var sessionID: String
    var issuedAt: Int64
    var expiresAt: Int64
    /// When the user last proved who they are (a password, a passkey), in seconds since 1970.
    var authTime: Int64
    /// RFC 8176 authentication methods (`pwd`, `hwk`, `user`, ...).
    var authMethods: [String]
    var tokenID: String
    var roles: [String]
}

/// Why an access token was refused. Clients see one answer (401) whatever the reason; the reason is for logs
/// and tests.
enum AccessTokenError: Error, Equatable {
    case malformed
    case unsupportedHeader
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case expired
    case notYetValid
}

/// Issues access tokens with the current token-signing key.
struct AccessTokenSigner: Sendable {
    let key: Ed25519SigningKey
    /// The `kid` published at `/.well-known/jwks.json`.
    var keyID: String { key.keyID }

    func sign(_ claims: AccessClaims) throws -> String {
        let header: JSONValue = ["alg": "EdDSA", "typ": "at+jwt", "kid": .string(keyID)]
        let payload: JSONValue = [
            "iss": .string(claims.issuer), "aud": .string(claims.audience), "sub": .string(claims.subject),
            "sid": .string(claims.sessionID), "iat": .number(Double(claims.issuedAt)), "exp": .number(Double(claims.expiresAt)),
            "auth_time": .number(Double(claims.authTime)), "amr": .array(claims.authMethods.map(JSONValue.string)),
            "jti": .string(claims.tokenID), "roles": .array(claims.roles.map(JSONValue.string)),
        ]
        let signingInput = Base64URL.encode(try JCS.canonicalize(header)) + "." + Base64URL.encode(try JCS.canonicalize(payload))
        return signingInput + "." + Base64URL.encode(key.sign(Array(signingInput.utf8)))
    }
}

extension AccessTokenSigner {
    /// A fresh access token for a session, valid from `now` for the configured lifetime.
    func issue(
        userID: UUID, sessionID: UUID, roles: [String], authTime: Date, methods: [String], now: Date, settings: AccountSettings
    ) throws -> String {
        let issuedAt = Int64(now.timeIntervalSince1970)
        return try sign(AccessClaims(
            issuer: settings.tokenIssuer, audience: settings.tokenAudience, subject: userID.text,
            sessionID: sessionID.text, issuedAt: issuedAt, expiresAt: issuedAt + Int64(settings.accessTokenLifetime),
            authTime: Int64(authTime.timeIntervalSince1970), authMethods: methods, tokenID: UUID.random().text,
            roles: roles))
    }
}

/// Checks access tokens strictly: exactly the header this gateway writes (EdDSA, `at+jwt`, a known `kid`, nothing
/// else), a valid Ed25519 signature, then issuer, audience and times. Anything else is refused; there is no
/// algorithm negotiation to confuse. A token that passed is remembered (`VerifiedTokenCache`), so its signature is
/// checked once, not on every request; its times are checked every time.
struct AccessTokenVerifier: Sendable {
    /// Public keys by `kid`: the current key and those retired recently enough that their tokens may be live.
    let keys: [String: Ed25519PublicKey]
    let issuer: String
    let audience: String
    /// Tolerance for clocks that disagree, in seconds.
    var leeway: Int64 = 30
    static let maximumLength = 4096

    /// Tokens this verifier has checked before (signature, header, issuer and audience).
    let checked = VerifiedTokenCache()

    func verify(_ token: String, now: Int64) throws(AccessTokenError) -> AccessClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .malformed }
        let key = VerifiedTokenCache.key(token)
        if let known = checked.claims(for: key) {
            try checkTimes(known, now: now)
            return known
        }
        let claims = try verifySigned(token)
        try checkTimes(claims, now: now)
        checked.remember(claims, for: key, expiredBefore: now - leeway)
        return claims
    }

    private func checkTimes(_ claims: AccessClaims, now: Int64) throws(AccessTokenError) {
        guard now < claims.expiresAt + leeway else { throw .expired }
        guard claims.issuedAt <= now + leeway else { throw .notYetValid }
    }

    /// Everything about a token but its times, which change meaning as the clock moves.
    private func verifySigned(_ token: String) throws(AccessTokenError) -> AccessClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONParser.parse(headerBytes), let payload = try? JSONParser.parse(payloadBytes)
        else { throw .malformed }
        guard let headerFields = header.objectValue, Set(headerFields.keys) == ["alg", "typ", "kid"],
              header["alg"]?.stringValue == "EdDSA", header["typ"]?.stringValue == "at+jwt",
              let keyID = header["kid"]?.stringValue
        else { throw .unsupportedHeader }
        guard let key = keys[keyID] else { throw .unknownKey }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.isValidSignature(signature, for: signingInput) else { throw .badSignature }
        guard let claims = Self.claims(payload) else { throw .malformed }
        guard claims.issuer == issuer else { throw .wrongIssuer }
        guard claims.audience == audience else { throw .wrongAudience }
        return claims
    }

    private static func claims(_ payload: JSONValue) -> AccessClaims? {
        guard let issuer = payload["iss"]?.stringValue, let audience = payload["aud"]?.stringValue,
              let subject = payload["sub"]?.stringValue, let sessionID = payload["sid"]?.stringValue,
              let issuedAt = payload["iat"]?.integerValue, let expiresAt = payload["exp"]?.integerValue,
              let authTime = payload["auth_time"]?.integerValue, let tokenID = payload["jti"]?.stringValue,
              let methods = payload["amr"]?.arrayValue, let roles = payload["roles"]?.arrayValue
        else { return nil }
        let methodNames = methods.compactMap(\.stringValue), roleNames = roles.compactMap(\.stringValue)
        guard methodNames.count == methods.count, roleNames.count == roles.count else { return nil }
        return AccessClaims(
            issuer: issuer, audience: audience, subject: subject, sessionID: sessionID, issuedAt: issuedAt,
            expiresAt: expiresAt, authTime: authTime, authMethods: methodNames, tokenID: tokenID, roles: roleNames)
    }
}
