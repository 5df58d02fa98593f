import CSodium
import NIOPosix

/// Argon2id password hashes through libsodium (`crypto_pwhash_str`): the stored text is the PHC string, which
/// carries the algorithm, its parameters and the salt, so older hashes keep verifying after the cost is raised.
/// Hashing takes tens of milliseconds and tens of megabytes on purpose, so it runs on NIO's blocking-work pool,
/// never on an event loop.
struct PasswordHasher: Sendable {
    /// Argon2id work factors.
    struct Cost: Sendable, Equatable {
        var passes: Int
        var memoryKiB: Int
    }

    /// OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane); lower settings are refused at start-up.
    static let minimumCost = Cost(passes: 2, memoryKiB: 19 * 1024)
    /// libsodium's interactive setting with two passes: 64 MiB.
    static let defaultCost = Cost(passes: 2, memoryKiB: 64 * 1024)

    let cost: Cost

    init(cost: Cost = defaultCost) {
        precondition(cost.passes >= Self.minimumCost.passes && cost.memoryKiB >= Self.minimumCost.memoryKiB)
        precondition(sodium_init() >= 0, "libsodium failed to initialise")
        self.cost = cost
    }

    /// The PHC string for `password`.
    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive {
            var bytes = Self.secretCString(password)
            defer { Self.wipe(&bytes) }
            var output = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
            let status = crypto_pwhash_str_alg(
                &output, bytes, UInt64(bytes.count - 1), UInt64(cost.passes), cost.memoryKiB * 1024, crypto_pwhash_ALG_ARGON2ID13)
            guard status == 0 else { throw PasswordHashError.outOfMemory }
            return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// True when `password` matches `stored`. libsodium compares in constant time.
    func verify(_ password: String, against stored: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            var bytes = Self.secretCString(password)
            defer { Self.wipe(&bytes) }
            return crypto_pwhash_str_verify(stored, bytes, UInt64(bytes.count - 1)) == 0
        }
    }

    /// The password's UTF-8 bytes and a terminating zero (so that even an empty password has an address).
    private static func secretCString(_ password: String) -> [CChar] {
        password.utf8.map { CChar(bitPattern: $0) } + [0]
    }

    private static func wipe(_ bytes: inout [CChar]) {
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    }

    /// True when `stored` was made with other parameters than the current cost, so it should be replaced at
    /// the next successful sign-in.
    func needsRehash(_ stored: String) -> Bool {
        crypto_pwhash_str_needs_rehash(stored, UInt64(cost.passes), cost.memoryKiB * 1024) != 0
    }
}

enum PasswordHashError: Error {
    /// libsodium could not allocate the memory Argon2id asks for.
    case outOfMemory
}
