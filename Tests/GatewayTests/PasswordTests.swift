import Testing
@testable import Gateway

@Suite("Passwords: policy and Argon2id hashing")
struct PasswordTests {
    @Test("the policy refuses short, overlong, blank and one-character passwords and accepts a passphrase", arguments: [
        ("short", false),
        ("elevenchars", false),
        ("twelve chars", true),
        ("correct horse battery staple", true),
        ("            ", false),
        ("aaaaaaaaaaaaaaaa", false),
        ("pässwörd-ünïcødé", true),
        (String(repeating: "ab", count: 64), true),
        (String(repeating: "ab", count: 64) + "c", false),
    ])
    func policy(password: String, accepted: Bool) {
        #expect((PasswordPolicy.problem(with: password) == nil) == accepted)
    }

    @Test("a hash is an Argon2id PHC string that verifies the password and nothing else, salted afresh each time")
    func hashAndVerify() async throws {
        let hasher = PasswordHasher(cost: PasswordHasher.minimumCost)
        let stored = try await hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(try await hasher.verify("correct horse battery staple", against: stored))
        #expect(try await !hasher.verify("correct horse battery stapler", against: stored))
        #expect(try await !hasher.verify("", against: stored))
        #expect(try await !hasher.verify("correct horse battery staple", against: "not a hash"))
        #expect(try await hasher.hash("correct horse battery staple") != stored)
    }

    @Test("a hash made with other parameters is due for rehashing")
    func rehash() async throws {
        let cheap = PasswordHasher(cost: PasswordHasher.minimumCost)
        let dearer = PasswordHasher(cost: .init(passes: 3, memoryKiB: PasswordHasher.minimumCost.memoryKiB))
        let stored = try await cheap.hash("correct horse battery staple")
        #expect(!cheap.needsRehash(stored))
        #expect(dearer.needsRehash(stored))
        #expect(try await dearer.verify("correct horse battery staple", against: stored))
    }
}
