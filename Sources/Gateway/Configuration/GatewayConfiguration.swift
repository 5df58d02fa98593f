import Foundation
import Logging
import PostgresNIO

/// Everything the gateway reads from its environment, parsed and validated once at start-up.
/// The README's configuration table lists the same variables and defaults.
struct GatewayConfiguration: Sendable {
    var server: ServerSettings
    var database: DatabaseSettings
    var keys: KeySettings
    var logging: LoggingSettings
    var ledger: LedgerWriterSettings
    var accounts: AccountSettings
    var rateLimits: RateLimitSettings
    var policy: PolicySettings
    var passkeys: PasskeySettings

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.server = try ServerSettings(environment: environment)
        self.database = try DatabaseSettings(environment: environment)
        self.keys = KeySettings(environment: environment)
        self.logging = try LoggingSettings(environment: environment)
        self.ledger = try LedgerWriterSettings(environment: environment)
        self.accounts = try AccountSettings(environment: environment)
        self.rateLimits = try RateLimitSettings(environment: environment)
        self.policy = PolicySettings(environment: environment)
        self.passkeys = try PasskeySettings(environment: environment, port: server.port)
    }

    init(server: ServerSettings, database: DatabaseSettings, keys: KeySettings, logging: LoggingSettings,
         ledger: LedgerWriterSettings = LedgerWriterSettings(), accounts: AccountSettings = AccountSettings(),
         rateLimits: RateLimitSettings = RateLimitSettings(), policy: PolicySettings = PolicySettings(),
         passkeys: PasskeySettings? = nil) {
        self.server = server
        self.database = database
        self.keys = keys
        self.logging = logging
        self.ledger = ledger
        self.accounts = accounts
        self.rateLimits = rateLimits
        self.policy = policy
        self.passkeys = passkeys ?? PasskeySettings(port: server.port)
    }
}

/// How passwords are hashed and how long sessions and their tokens live.
struct AccountSettings: Sendable {
    /// Argon2id cost (`PASSWORD_HASH_PASSES`, `PASSWORD_HASH_MEMORY_KIB`); never below OWASP's minimum.
    var passwordHashCost: PasswordHasher.Cost
    /// The access tokens' `iss` (`TOKEN_ISSUER`) and `aud` (`TOKEN_AUDIENCE`).
    var tokenIssuer: String
    var tokenAudience: String
    /// How long an access token is valid (`ACCESS_TOKEN_TTL_SECONDS`).
    var accessTokenLifetime: Int
    /// A session unused for this long ends (`SESSION_IDLE_TIMEOUT_SECONDS`)...
    var sessionIdleTimeout: Int
    /// ...and any session ends this long after sign-in (`SESSION_MAX_LIFETIME_SECONDS`).
    var sessionMaxLifetime: Int
    /// How long an administrator's invite can be redeemed (`INVITE_TTL_SECONDS`).
    var inviteLifetime: Int
    /// How failed sign-ins slow down and lock out.
    var loginThrottle: LoginThrottlePolicy

    init(passwordHashCost: PasswordHasher.Cost = PasswordHasher.defaultCost, tokenIssuer: String = "phi-ledger-gateway",
         tokenAudience: String = "phi-ledger-api", accessTokenLifetime: Int = 300, sessionIdleTimeout: Int = 900,
         sessionMaxLifetime: Int = 12 * 3600, inviteLifetime: Int = 72 * 3600, loginThrottle: LoginThrottlePolicy = LoginThrottlePolicy()) {
        self.passwordHashCost = passwordHashCost
        self.tokenIssuer = tokenIssuer
        self.tokenAudience = tokenAudience
        self.accessTokenLifetime = accessTokenLifetime
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionMaxLifetime = sessionMaxLifetime
        self.inviteLifetime = inviteLifetime
        self.loginThrottle = loginThrottle
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        let minimum = PasswordHasher.minimumCost, defaults = PasswordHasher.defaultCost
        self.init(
            passwordHashCost: PasswordHasher.Cost(
                passes: try environment.int("PASSWORD_HASH_PASSES", default: defaults.passes, range: minimum.passes...10),
                memoryKiB: try environment.int(
                    "PASSWORD_HASH_MEMORY_KIB", default: defaults.memoryKiB, range: minimum.memoryKiB...(1024 * 1024))),
            tokenIssuer: environment.string("TOKEN_ISSUER") ?? "phi-ledger-gateway",
            tokenAudience: environment.string("TOKEN_AUDIENCE") ?? "phi-ledger-api",
            accessTokenLifetime: try environment.int("ACCESS_TOKEN_TTL_SECONDS", default: 300, range: 30...3600),
            sessionIdleTimeout: try environment.int("SESSION_IDLE_TIMEOUT_SECONDS", default: 900, range: 60...86_400),
            sessionMaxLifetime: try environment.int("SESSION_MAX_LIFETIME_SECONDS", default: 12 * 3600, range: 300...30 * 86_400),
            inviteLifetime: try environment.int("INVITE_TTL_SECONDS", default: 72 * 3600, range: 300...30 * 86_400),
            loginThrottle: LoginThrottlePolicy(
                slowdownAfter: try environment.int("LOGIN_SLOWDOWN_AFTER_FAILURES", default: 3, range: 1...1000),
                accountLockoutAfter: try environment.int("LOGIN_LOCKOUT_AFTER_FAILURES", default: 10, range: 1...1000),
                addressLockoutAfter: try environment.int("LOGIN_ADDRESS_LOCKOUT_AFTER_FAILURES", default: 100, range: 1...1_000_000),
                lockoutSeconds: try environment.int("LOGIN_LOCKOUT_SECONDS", default: 900, range: 10...86_400)))
    }
}

/// Request rate limits per client address and per signed-in account, each a quota per minute that may be spent
/// at once and refills steadily (GCRA); 0 turns a limit off.
struct RateLimitSettings: Sendable {
    /// `RATE_LIMIT_ADDRESS_PER_MINUTE`: generous, since a hospital's staff may share one NAT address.
    var addressPerMinute: Int
    /// `RATE_LIMIT_USER_PER_MINUTE`.
    var userPerMinute: Int

    init(addressPerMinute: Int = 12_000, userPerMinute: Int = 1_200) {
        self.addressPerMinute = addressPerMinute
        self.userPerMinute = userPerMinute
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init(
            addressPerMinute: try environment.int("RATE_LIMIT_ADDRESS_PER_MINUTE", default: 12_000, range: 0...10_000_000),
            userPerMinute: try environment.int("RATE_LIMIT_USER_PER_MINUTE", default: 1_200, range: 0...10_000_000))
    }

    /// The limiters these settings call for; nil where a limit is off.
    func limiters() -> (address: RateLimiter?, user: RateLimiter?) {
        (addressPerMinute > 0 ? RateLimiter(name: "address", quota: addressPerMinute, window: 60) : nil,
         userPerMinute > 0 ? RateLimiter(name: "user", quota: userPerMinute, window: 60) : nil)
    }
}

/// Where and how the HTTP server listens.
struct ServerSettings: Sendable {
    var host: String
    var port: Int
    /// Origins allowed to call the API from a browser; empty means no cross-origin access.
    var corsAllowedOrigins: [String]
    /// The largest request body accepted, in bytes.
    var maxBodyBytes: Int
    /// A connection that sends no complete request part for this long is closed: a client that opens connections
    /// and trickles header bytes (slowloris) cannot hold them.
    var idleTimeoutSeconds: Int

    init(
        host: String = "127.0.0.1", port: Int = 8080, corsAllowedOrigins: [String] = [], maxBodyBytes: Int = 1 << 20,
        idleTimeoutSeconds: Int = 30
    ) {
        self.host = host
        self.port = port
        self.corsAllowedOrigins = corsAllowedOrigins
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.host = environment.string("HOST") ?? "127.0.0.1"
        self.port = try environment.int("PORT", default: 8080, range: 1...65535)
        self.maxBodyBytes = try environment.int("MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20))
        self.idleTimeoutSeconds = try environment.int("HTTP_IDLE_TIMEOUT_SECONDS", default: 30, range: 1...3600)
        self.corsAllowedOrigins = try Self.parseOrigins(environment.string("CORS_ALLOWED_ORIGINS"), variable: "CORS_ALLOWED_ORIGINS")
    }

    /// Origins must be exact `scheme://host[:port]` values. A wildcard is refused: the API uses credentials,
    /// and a wildcard with credentials would let any site act as the signed-in user.
    static func parseOrigins(_ text: String?, variable: String) throws(ConfigurationError) -> [String] {
        guard let text else { return [] }
        var origins: [String] = []
        for raw in text.split(separator: ",") {
            let origin = raw.trimmingCharacters(in: .whitespaces)
            if origin.isEmpty { continue }
            if origin.contains("*") {
                throw .invalid(variable, "wildcards are not allowed; list each origin, e.g. https://app.example.org")
            }
            guard origin.hasPrefix("https://") || origin.hasPrefix("http://"),
                  !origin.dropFirst(origin.hasPrefix("https://") ? 8 : 7).contains("/"), !origin.hasSuffix("/")
            else {
                throw .invalid(variable, "'\(origin)' is not an origin (scheme://host[:port], no path)")
            }
            origins.append(origin.lowercased())
        }
        return origins
    }
}

/// The database connections: the runtime role for serving, and optionally the owner role for migrations.
struct DatabaseSettings: Sendable {
    /// The runtime role's URL (`DATABASE_URL`); nil only where a command does not need the database.
    var url: PostgresURL?
    /// The owner role's URL (`DATABASE_OWNER_URL`), used by `gateway migrate`.
    var ownerURL: PostgresURL?
    var poolSize: Int
    /// How often idle pooled connections are pinged (`DATABASE_KEEPALIVE_SECONDS`); nil, the default, never.
    var keepAlive: Duration?

    init(url: PostgresURL?, ownerURL: PostgresURL? = nil, poolSize: Int = 20, keepAlive: Duration? = nil) {
        self.url = url
        self.ownerURL = ownerURL
        self.poolSize = poolSize
        self.keepAlive = keepAlive
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.url = try environment.string("DATABASE_URL", secret: true)
            .map { text throws(ConfigurationError) in try PostgresURL(parsing: text, variable: "DATABASE_URL") }
        self.ownerURL = try environment.string("DATABASE_OWNER_URL", secret: true)
            .map { text throws(ConfigurationError) in try PostgresURL(parsing: text, variable: "DATABASE_OWNER_URL") }
        self.poolSize = try environment.int("DATABASE_POOL_SIZE", default: 20, range: 1...500)
        let keepAliveSeconds = try environment.int("DATABASE_KEEPALIVE_SECONDS", default: 0, range: 0...3600)
        self.keepAlive = keepAliveSeconds == 0 ? nil : .seconds(keepAliveSeconds)
    }

    /// The runtime role's pool configuration, `poolSize` connections unless a command needs another number.
    func clientConfiguration(poolSize: Int? = nil) throws -> PostgresClient.Configuration {
        try requireURL().clientConfiguration(poolSize: poolSize ?? self.poolSize, keepAlive: keepAlive)
    }

    /// The runtime URL, or the error that names the missing variable.
    func requireURL() throws(ConfigurationError) -> PostgresURL {
        guard let url else {
            throw .missing("DATABASE_URL", hint: "e.g. postgresql://ledger_app:secret@localhost:5432/ledger")
        }
        return url
    }

    /// The URL migrations run with: the owner's when given, else the runtime URL.
    func requireMigrationURL() throws(ConfigurationError) -> PostgresURL {
        if let ownerURL { return ownerURL }
        guard let url else {
            throw .missing("DATABASE_OWNER_URL", hint: "migrations need the owner role's URL (or DATABASE_URL)")
        }
        return url
    }
}

/// Where the ledger signing key, the key-encryption key and the access-token signing key come from: inline
/// values win over files.
struct KeySettings: Sendable {
    var signingKeyFile: String
    var signingKeyInline: String?
    var kekFile: String
    var kekInline: String?
    var tokenKeyFile: String
    var tokenKeyInline: String?
    /// Public keys accepted for access tokens besides the signing key's (a JWK Set file).
    var tokenAcceptedKeysFile: String

    init(signingKeyFile: String, signingKeyInline: String? = nil, kekFile: String, kekInline: String? = nil,
         tokenKeyFile: String = "/nonexistent", tokenKeyInline: String? = nil, tokenAcceptedKeysFile: String = "/nonexistent") {
        self.signingKeyFile = signingKeyFile
        self.signingKeyInline = signingKeyInline
        self.kekFile = kekFile
        self.kekInline = kekInline
        self.tokenKeyFile = tokenKeyFile
        self.tokenKeyInline = tokenKeyInline
        self.tokenAcceptedKeysFile = tokenAcceptedKeysFile
    }

    init(environment: EnvironmentReader) {
        self.signingKeyFile = environment.string("LEDGER_SIGNING_KEY_FILE") ?? ".data/keys/ledger-signing.pem"
        self.signingKeyInline = environment.string("LEDGER_SIGNING_KEY", secret: true)
        self.kekFile = environment.string("LEDGER_KEK_FILE") ?? ".data/keys/kek.b64"
        self.kekInline = environment.string("LEDGER_KEK", secret: true)
        self.tokenKeyFile = environment.string("TOKEN_SIGNING_KEY_FILE") ?? ".data/keys/token-signing.pem"
        self.tokenKeyInline = environment.string("TOKEN_SIGNING_KEY", secret: true)
        self.tokenAcceptedKeysFile = environment.string("TOKEN_ACCEPTED_KEYS_FILE") ?? ".data/keys/token-accepted.jwks.json"
    }
}

/// Log level and line format.
struct LoggingSettings: Sendable {
    enum Format: String, Sendable, CaseIterable {
        case json, text
    }

    enum Level: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        var loggerLevel: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
    }

    var level: Logger.Level
    var format: Format

    init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.level = try environment.choice("LOG_LEVEL", default: Level.info).loggerLevel
        self.format = try environment.choice("LOG_FORMAT", default: Format.json)
    }
}

/// Where the access policy is read from (`POLICY_DIR`, default `policies` in the working directory).
struct PolicySettings: Sendable {
    var directory: String

    init(directory: String = "policies") {
        self.directory = directory
    }

    init(environment: EnvironmentReader) {
        self.init(directory: environment.string("POLICY_DIR") ?? "policies")
    }
}
