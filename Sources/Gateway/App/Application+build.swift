import Foundation
import GatewayAPI
import Hummingbird
import Ledger
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import PostgresNIO
import Prometheus

/// What the running application needs beyond its configuration. `main` builds the real ones; tests substitute
/// a capturing log sink or their own registry.
struct ApplicationDependencies: Sendable {
    var logger: Logger
    var metrics: PrometheusCollectorRegistry
    /// The time sessions are judged by; tests move it forward to reach timeouts.
    var clock: @Sendable () -> Date
    /// Waits, e.g. to slow down failed sign-ins; tests record the waits instead.
    var sleep: @Sendable (Duration) async throws -> Void

    init(
        logger: Logger, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), clock: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        self.sleep = sleep
    }
}

/// Builds the gateway application: keys, database pool, router. Called by `gateway serve` and by the tests,
/// so both run the same thing. Fails before serving when keys are missing or migrations are not current.
func buildApplication(
    configuration: GatewayConfiguration,
    dependencies: ApplicationDependencies
) async throws -> some ApplicationProtocol {
    let logger = dependencies.logger
    let signingKey = try KeyLoader.signingKey(configuration.keys)
    let kek = try KeyLoader.keyEncryptionKey(configuration.keys)
    let databaseConfiguration = try configuration.database.clientConfiguration()
    let client = PostgresClient(configuration: databaseConfiguration, eventLoopGroup: SpreadEventLoops.shared, backgroundLogger: logger)
    let migrator = Migrator(catalog: try MigrationCatalog.bundled(), logger: logger)
    let policy = try PolicyLoader.load(directory: configuration.policy.directory)
    let policyHash = policy.hash
    let writer = LedgerWriter(
        settings: configuration.ledger, client: client, database: databaseConfiguration, signingKey: signingKey, kek: kek,
        policyVersion: { policyHash }, logger: logger)

    let tokenKey = try KeyLoader.tokenSigningKey(configuration.keys)
    let accounts = configuration.accounts
    let hasher = PasswordHasher(cost: accounts.passwordHashCost)
    // The signing key's, and those accepted besides it (retired ones still in use, or the next one).
    let publishedKeys = try AcceptedTokenKeys.load(path: configuration.keys.tokenAcceptedKeysFile)
        .merging([tokenKey.keyID: tokenKey.publicKey]) { _, current in current }
    let liveSessions = LiveSessions(client: client, settings: accounts, logger: logger)
    let clock = dependencies.clock
    let limiters = configuration.rateLimits.limiters()
    let tokenSigner = AccessTokenSigner(key: tokenKey)
    let revocation = SessionRevocation(writer: writer, clock: clock, logger: logger)
    let signIn = SignIn(
        client: client, writer: writer, hasher: hasher,
        throttle: LoginThrottle(client: client, policy: accounts.loginThrottle, kek: kek, logger: logger), sleep: dependencies.sleep,
        tokens: tokenSigner, settings: accounts, clock: clock, logger: logger,
        decoyHash: try await hasher.hash(UUID.random().text))
    let sessions = SessionServices(
        signIn: signIn,
        renewal: SessionRenewal(
            client: client, sessions: liveSessions, revocation: revocation, tokens: tokenSigner, settings: accounts, clock: clock,
            logger: logger),
        authenticator: Authenticator(
            sessions: liveSessions,
            verifier: AccessTokenVerifier(keys: publishedKeys, issuer: accounts.tokenIssuer, audience: accounts.tokenAudience),
            rateLimit: UserRateLimit(limiter: limiters.user, clock: clock), clock: clock, logger: logger),
        revocation: revocation,
        passwordChange: PasswordChange(client: client, writer: writer, hasher: hasher, clock: clock, logger: logger),
        accounts: AccountDirectory(client: client, logger: logger),
        liveSessions: liveSessions,
        clock: clock,
        publishedKeys: publishedKeys)

    let access = AccessControl(policy: policy, clock: clock, logger: logger)
    let patientAccess = PatientAccess(
        client: client, access: access, recorder: AccessRecorder(writer: writer, logger: logger), clock: clock, logger: logger)
    let handlers = GatewayHandlers(
        readiness: ReadinessProbe(client: client, migrator: migrator, signingKeyLoaded: true, logger: logger),
        metrics: dependencies.metrics,
        contract: try GatewayContract.document(),
        enrolment: Enrolment(client: client, writer: writer, hasher: hasher, logger: logger),
        sessions: sessions,
        passkeys: Passkeys(
            settings: configuration.passkeys,
            challenges: CeremonyChallenges(client: client, clock: clock, lifetime: configuration.passkeys.challengeLifetime, logger: logger),
            credentials: PasskeyCredentials(client: client, logger: logger), accounts: AccountDirectory(client: client, logger: logger),
            policy: policy, writer: writer, signIn: signIn, tokens: tokenSigner, accountSettings: accounts, kek: kek, clock: clock,
            logger: logger),
        users: UserAdministration(client: client, writer: writer, settings: accounts, clock: clock, logger: logger),
        access: access,
        patients: PatientRegistry(client: client, patients: patientAccess, clock: clock, logger: logger),
        careTeams: CareTeams(client: client, patients: patientAccess, logger: logger),
        breakGlassGrants: BreakGlass(client: client, patients: patientAccess, clock: clock, logger: logger),
        notes: ClinicalNotes(client: client, patients: patientAccess, logger: logger),
        tasks: CareTasks(client: client, patients: patientAccess, clock: clock, logger: logger),
        disclosures: Disclosures(client: client, patients: patientAccess, logger: logger),
        shredding: PatientShredding(patients: patientAccess, logger: logger),
        audit: AccessAudit(client: client, writer: writer, access: access, logger: logger),
        bundles: AuditBundles(
            client: client, writer: writer, access: access, chain: configuration.ledger.chain, signingKey: signingKey, logger: logger))
    let router = try buildRouter(
        configuration: configuration, handlers: handlers, metrics: dependencies.metrics,
        rateLimits: RateLimitMiddleware(address: limiters.address, user: limiters.user, clock: clock))

    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.server.idleTimeoutSeconds)))),
        configuration: .init(
            address: .hostname(configuration.server.host, port: configuration.server.port),
            serverName: nil),
        // Services stop in reverse order: the writer finishes its queue before the pool closes.
        services: [client, writer],
        logger: logger)
    app.beforeServerStarts {
        try await migrator.requireCurrent(client)
        try await writer.prepareChain()
        try await PolicyActivation(client: client, writer: writer, logger: logger).activate(policy)
        logger.info("ledger signing key loaded", metadata: ["key_id": "\(signingKey.keyID)"])
    }
    return app
}

/// The router: middlewares outermost first, then the OpenAPI operations.
func buildRouter(
    configuration: GatewayConfiguration,
    handlers: GatewayHandlers,
    metrics: PrometheusCollectorRegistry,
    rateLimits: RateLimitMiddleware
) throws -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.middlewares.add(RequestLogMiddleware())
    router.middlewares.add(RequestMetricsMiddleware(registry: metrics))
    router.middlewares.add(AllowListCORSMiddleware(allowedOrigins: configuration.server.corsAllowedOrigins))
    router.middlewares.add(rateLimits)
    router.middlewares.add(ProblemMiddleware())
    router.middlewares.add(BodyLimitMiddleware(maxBytes: configuration.server.maxBodyBytes))
    router.middlewares.add(JSONBodyMiddleware())
    router.middlewares.add(RequestScopeMiddleware())
    try ConsolePage.bundled().register(on: router)
    // Compact JSON: pretty-printing costs bytes and time on every response.
    try handlers.registerHandlers(
        on: router, configuration: OpenAPIRuntime.Configuration(dateTranscoder: RFC3339Timestamps(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
    return router
}
