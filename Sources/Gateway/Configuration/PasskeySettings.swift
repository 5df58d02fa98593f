import Foundation

/// The relying party that passkeys are registered with, and how long a ceremony may take.
struct PasskeySettings: Sendable, Equatable {
    /// `WEBAUTHN_RP_ID`: the domain passkeys are bound to (the site's host name, or a parent of it). Changing it
    /// later makes every registered passkey useless, since authenticators scope credentials to it.
    var relyingPartyID: String
    /// `WEBAUTHN_RP_NAME`: what the browser shows the person when they create a passkey.
    var relyingPartyName: String
    /// `WEBAUTHN_ORIGINS`: the exact origins whose pages may run ceremonies; each must be on `relyingPartyID`.
    var origins: [String]
    /// `WEBAUTHN_CHALLENGE_TTL_SECONDS`: how long a challenge may be answered.
    var challengeLifetime: Int

    /// Defaults fit a gateway run on this machine: `localhost`, and the console at `http://localhost:PORT`.
    init(port: Int, relyingPartyID: String = "localhost", relyingPartyName: String = "PHI Ledger", origins: [String]? = nil,
         challengeLifetime: Int = 300) {
        self.relyingPartyID = relyingPartyID
        self.relyingPartyName = relyingPartyName
        self.origins = origins ?? ["http://localhost:\(port)"]
        self.challengeLifetime = challengeLifetime
    }

    init(environment: EnvironmentReader, port: Int) throws(ConfigurationError) {
        let id = environment.string("WEBAUTHN_RP_ID")?.lowercased() ?? "localhost"
        guard Self.isDomain(id) else {
            throw .invalid("WEBAUTHN_RP_ID", "'\(id)' is not a domain name (e.g. hospital.example, without scheme or port)")
        }
        let name = environment.string("WEBAUTHN_RP_NAME") ?? "PHI Ledger"
        guard name.count <= 100 else { throw .invalid("WEBAUTHN_RP_NAME", "must be at most 100 characters") }
        var origins = try ServerSettings.parseOrigins(environment.string("WEBAUTHN_ORIGINS"), variable: "WEBAUTHN_ORIGINS")
        if origins.isEmpty { origins = ["http://localhost:\(port)"] }
        for origin in origins {
            try Self.check(origin, belongsTo: id)
        }
        self.init(
            port: port, relyingPartyID: id, relyingPartyName: name, origins: origins,
            challengeLifetime: try environment.int("WEBAUTHN_CHALLENGE_TTL_SECONDS", default: 300, range: 30...900))
    }

    /// Browsers refuse a ceremony whose page is not on the RP ID, and refuse plain http except on localhost;
    /// catching either here beats a passkey button that fails for everyone.
    private static func check(_ origin: String, belongsTo relyingPartyID: String) throws(ConfigurationError) {
        guard let url = URL(string: origin), let host = url.host?.lowercased(), let scheme = url.scheme else {
            throw .invalid("WEBAUTHN_ORIGINS", "'\(origin)' is not an origin")
        }
        guard host == relyingPartyID || host.hasSuffix("." + relyingPartyID) else {
            throw .invalid("WEBAUTHN_ORIGINS", "'\(origin)' is not on the RP ID \(relyingPartyID) (WEBAUTHN_RP_ID)")
        }
        guard scheme == "https" || host == "localhost" else {
            throw .invalid("WEBAUTHN_ORIGINS", "'\(origin)' must use https; browsers allow plain http for localhost only")
        }
    }

    private static func isDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return text.count <= 253 && !labels.isEmpty && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
