import Crypto
import Synchronization

/// Access tokens whose signature, header, issuer and audience have been checked, by the SHA-256 of the token's exact
/// bytes. A client sends the same token with every request for the token's whole life (minutes), and checking an
/// Ed25519 signature was a sixth of the gateway's work per request; a token seen before is looked up instead.
///
/// Only what cannot change for the same bytes is remembered: the times are checked again on every use, and the
/// session behind the token is read from the database on every request as before, so logout and revocation stay
/// immediate. Tokens are keyed by their digest, never by their text, so a lookup's timing says nothing about a held
/// token, and the cache holds no bearer secret. It belongs to one verifier, whose keys never change, and holds at most
/// `capacity` tokens: when full, it drops the expired ones, and if none has expired, all of them.
final class VerifiedTokenCache: Sendable {
    private let entries = Mutex<[SHA256Digest: AccessClaims]>([:])
    let capacity: Int

    init(capacity: Int = 8192) {
        precondition(capacity > 0, "a token cache holds at least one token")
        self.capacity = capacity
    }

    /// The key a token is remembered under.
    static func key(_ token: String) -> SHA256Digest {
        var token = token
        return token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }

    /// The claims of a token checked before, if it is still held.
    func claims(for key: SHA256Digest) -> AccessClaims? {
        entries.withLock { $0[key] }
    }

    /// Remembers a token that passed every check but the times. A full cache first drops the tokens that expired by
    /// `cutoff`.
    func remember(_ claims: AccessClaims, for key: SHA256Digest, expiredBefore cutoff: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                entries = entries.filter { $0.value.expiresAt > cutoff }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = claims
        }
    }

    /// How many tokens are held.
    var count: Int { entries.withLock { $0.count } }
}
