import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing
@testable import Gateway

@Suite("Rate limits per address and per user (GCRA), with RateLimit headers and 429 + Retry-After")
struct RateLimitTests {
    @Test("GCRA spends the quota at once, then admits one request per emission interval, and refills completely")
    func gcra() {
        let rule = GCRA(quota: 3, window: 60)
        var tat: Double?
        var remaining: [Int] = []
        for _ in 1...3 {
            let decision = rule.decide(tat: tat, now: 0)
            #expect(decision.allowed)
            remaining.append(decision.remaining)
            tat = decision.tat
        }
        #expect(remaining == [2, 1, 0])
        let refused = rule.decide(tat: tat, now: 0)
        #expect(!refused.allowed && refused.retryAfter == 20 && refused.remaining == 0 && refused.tat == tat)
        let later = rule.decide(tat: tat, now: 20)
        #expect(later.allowed && later.remaining == 0)
        let muchLater = rule.decide(tat: later.tat, now: 500)
        #expect(muchLater.allowed && muchLater.remaining == 2 && muchLater.reset == 20)
    }

    @Test("clients whose quota has refilled are forgotten when the table is full")
    func forgetting() {
        let limiter = RateLimiter(name: "address", quota: 10, window: 60, sweepThreshold: 2)
        _ = limiter.admit("a", now: 0)
        _ = limiter.admit("b", now: 0)
        #expect(limiter.trackedClients == 2)
        _ = limiter.admit("c", now: 100)
        #expect(limiter.trackedClients == 1)
    }

    @Test("the headers follow the draft's structured-field form")
    func headers() {
        let limiter = RateLimiter(name: "user", quota: 600, window: 60)
        #expect(RateLimitHeaders.policy([limiter]) == #""user";q=600;w=60"#)
        let decision = limiter.admit("u", now: 0)
        #expect(RateLimitHeaders.state([("user", decision)]) == #""user";r=599;t=1"#)
    }

    @Test("past a user's quota the gateway answers 429 with Retry-After and RateLimit headers, and admits again as it refills")
    func userLimit() async throws {
        let signingKey = Ed25519SigningKey.generate()
        let clock = TestClock(standingStill: true)
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            let configure = TestAccounts.configure(signingKey)
            try await TestGateway.withApp(
                database: database, configure: { configure(&$0); $0.rateLimits = RateLimitSettings(addressPerMinute: 100, userPerMinute: 3) },
                clock: clock.now
            ) { client in
                let token = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                for expected in [2, 1, 0] {
                    let answer = try await client.call(.get, "/v1/auth/me", token: token)
                    #expect(answer.status == .ok)
                    #expect(answer.headers[.rateLimitPolicy] == #""address";q=100;w=60, "user";q=3;w=60"#)
                    #expect(answer.headers[.rateLimit]?.contains(#""user";r=\#(expected);"#) == true, "\(answer.headers[.rateLimit] ?? "none")")
                }
                let refused = try await client.call(.get, "/v1/auth/me", token: token)
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.retryAfter] == "20")
                #expect(refused.headers[.rateLimit]?.contains(#""user";r=0;t=60"#) == true)
                #expect(refused["requestId"] != nil)
                clock.advance(by: 20)
                #expect(try await client.call(.get, "/v1/auth/me", token: token).status == .ok)
            }
        }
    }

    @Test("past an address's quota every API request is refused, probes are not")
    func addressLimit() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            // A clock that stands still: on a busy machine the two sign-ins may take seconds, which would move the
            // Retry-After the test expects.
            let now = Date()
            try await TestGateway.withApp(
                database: database, configure: { $0.rateLimits = RateLimitSettings(addressPerMinute: 2, userPerMinute: 0) }, clock: { now }
            ) { client in
                for _ in 1...2 {
                    let answer = try await client.login(email: "someone@hospital.example", password: "whatever it may be")
                    #expect(answer.status == .unauthorized)
                    #expect(answer.headers[.rateLimitPolicy] == #""address";q=2;w=60"#)
                }
                let refused = try await client.login(email: "someone@hospital.example", password: "whatever it may be")
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.retryAfter] == "30")
                for _ in 1...3 {
                    #expect(try await client.call(.get, "/health/live").status == .ok)
                }
            }
        }
    }
}
