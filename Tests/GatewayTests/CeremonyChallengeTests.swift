import Foundation
import PostgresNIO
import Testing
@testable import Gateway

@Suite("WebAuthn challenges: random, stored server-side, single-use, short-lived")
struct CeremonyChallengeTests {
    @Test("a challenge is taken once, for its own ceremony, before it expires, with what it was issued for")
    func singleUseAndExpiry() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.withClient(database.appURL) { client in
                let clock = TestClock()
                let challenges = CeremonyChallenges(client: client, clock: clock.now, lifetime: 300, logger: TestPostgres.logger)
                let session = UUID()
                let issued = try await challenges.issue(.stepUp, userID: nil, sessionID: session)
                #expect(issued.challenge.count == 32)
                let other = try await challenges.issue(.stepUp, userID: nil, sessionID: session)
                #expect(other.challenge != issued.challenge)

                // Another ceremony's challenge is not this one's, and trying does not use it up.
                #expect(try await challenges.take(issued.challenge, for: .authentication) == nil)
                #expect(try await challenges.take(issued.challenge, for: .stepUp) == CeremonyChallenges.Claim(userID: nil, sessionID: session))
                #expect(try await challenges.take(issued.challenge, for: .stepUp) == nil)
                #expect(try await challenges.take(Array(repeating: 0, count: 32), for: .stepUp) == nil)
                #expect(try await challenges.take([1, 2, 3], for: .stepUp) == nil)

                // Past its lifetime a challenge is refused, and the next issue clears it away.
                clock.advance(by: 301)
                #expect(try await challenges.take(other.challenge, for: .stepUp) == nil)
                _ = try await challenges.issue(.authentication, userID: nil, sessionID: nil)
                let left = try await client.query("SELECT count(*)::bigint FROM webauthn_challenges", logger: TestPostgres.logger)
                #expect(try await left.first(Int64.self) == 1)
            }
        }
    }

    @Test("of many concurrent attempts to take one challenge, exactly one succeeds")
    func concurrentTakes() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await database.withClient(database.appURL) { client in
                let challenges = CeremonyChallenges(client: client, clock: { Date() }, lifetime: 300, logger: TestPostgres.logger)
                let issued = try await challenges.issue(.authentication, userID: nil, sessionID: nil)
                let successes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<16 {
                        group.addTask { try await challenges.take(issued.challenge, for: .authentication) != nil }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(successes == 1)
            }
        }
    }
}
