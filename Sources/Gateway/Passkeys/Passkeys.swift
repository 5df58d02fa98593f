import Foundation
import Ledger
import Logging
import PostgresNIO
import WebAuthn

/// The passkey ceremonies (DESIGN §5): adding a passkey, signing in with one, and stepping up a session. Each
/// begins by handing the browser options with a fresh challenge (`CeremonyChallenges`) and ends by verifying the
/// browser's answer with the WebAuthn library; every ending, success or not, is a ledger entry.
struct Passkeys: Sendable {
    let settings: PasskeySettings
    let challenges: CeremonyChallenges
    let credentials: PasskeyCredentials
    let accounts: AccountDirectory
    let policy: PolicySet
    let writer: LedgerWriter
    let signIn: SignIn
    let tokens: AccessTokenSigner
    let accountSettings: AccountSettings
    /// Derives stable decoy credential ids for unknown emails, so that the options do not tell which accounts exist.
    let kek: KeyEncryptionKey
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Why a ceremony was refused. The handlers turn each into its HTTP answer; the ledger entry records the same.
    enum Refusal: Error, Equatable {
        /// The response cannot be read (not base64url, client data not JSON, ...).
        case malformed(String)
        /// The challenge was never issued, was used already, has expired, or was issued to another ceremony,
        /// account or session.
        case challengeNotValid
        /// The response failed a WebAuthn check.
        case notVerified(WebAuthnError)
        /// No passkey with this credential id is registered (or not to the account the ceremony is for).
        case unknownPasskey
        /// The passkey's account is disabled or has not enrolled.
        case accountCannotSignIn
        /// The signature counter did not increase: the authenticator may have been cloned.
        case signCountRegression
        /// The credential is registered already.
        case alreadyRegistered
        /// The account holds `PasskeyCredentials.maximumPerAccount` passkeys.
        case tooManyPasskeys
        /// The account has no passkey to step up with.
        case noPasskeys

        /// The text for the ledger entry and the log; never includes key material or the challenge.
        var reason: String {
            switch self {
            case .malformed(let detail): "malformed response: \(detail)"
            case .challengeNotValid: "the challenge is unknown, used, expired or not this ceremony's"
            case .notVerified(let error): String(error.description.prefix(200))
            case .unknownPasskey: "the passkey is not registered"
            case .accountCannotSignIn: "the account cannot sign in"
            case .signCountRegression: "the signature counter went backwards"
            case .alreadyRegistered: "the passkey is registered already"
            case .tooManyPasskeys: "the account holds the most passkeys allowed"
            case .noPasskeys: "the account has no passkey"
            }
        }
    }

    /// Options for `navigator.credentials.get()`.
    struct RequestOptions: Sendable, Equatable {
        let challenge: [UInt8]
        let allowCredentials: [Descriptor]
        let userVerification: String
        let timeoutMilliseconds: Int
    }

    /// A credential named in options (`allowCredentials`, `excludeCredentials`).
    struct Descriptor: Sendable, Equatable {
        let id: [UInt8]
        let transports: [String]
    }

    var relyingParty: RelyingParty {
        RelyingParty(id: settings.relyingPartyID, origins: Set(settings.origins))
    }

    var timeoutMilliseconds: Int { settings.challengeLifetime * 1000 }

    /// Whether the policy holds these roles to user verification (no `passkey:presence_only`).
    func requiresUserVerification(_ roles: [String]) -> Bool {
        !policy.decide(roles: roles, permission: .passkeyPresenceOnly, facts: AccessFacts()).allowed
    }

    func verificationPolicy(requireUserVerification: Bool) -> VerificationPolicy {
        // No trust anchors: the options ask for no attestation, so an attested certificate chain cannot be
        // checked against anything and is refused rather than believed.
        VerificationPolicy(requireUserVerification: requireUserVerification, now: clock)
    }

    /// The challenge a response answers, read from its client data so that the browser need not echo it.
    static func challenge(inClientData clientDataJSON: String) throws(Refusal) -> [UInt8] {
        guard let json = Base64URL.decode(clientDataJSON) else { throw .malformed("clientDataJSON is not base64url") }
        do {
            return try CollectedClientData(json: json).challenge
        } catch {
            throw .malformed(error.description)
        }
    }

    /// Takes the challenge the response answers, for `ceremony`; with `principal`, it must have been issued to
    /// that account's very session. Returns the challenge and what it was issued for.
    func takeChallenge(
        answeredBy clientDataJSON: String, for ceremony: CeremonyChallenges.Ceremony, session principal: Principal? = nil
    ) async throws -> (challenge: [UInt8], claim: CeremonyChallenges.Claim) {
        let challenge = try Self.challenge(inClientData: clientDataJSON)
        guard let claim = try await challenges.take(challenge, for: ceremony) else { throw Refusal.challengeNotValid }
        if let principal, claim.userID != principal.userID || claim.sessionID != principal.sessionID { throw Refusal.challengeNotValid }
        return (challenge, claim)
    }

    /// Records a ceremony that ended in refusal, then throws it. The entry is written before the answer so that a
    /// refusal the ledger cannot record is not given silently.
    func refuse(
        _ refusal: Refusal, action: String, actor: LedgerEntry.Actor, resource: LedgerEntry.ResourceReference?, details: [String: JSONValue] = [:],
        requestID: String?
    ) async throws -> Never {
        _ = try await writer.append(EntryDraft(
            actor: actor, action: action, resource: resource, requestID: requestID, outcome: .failure,
            payload: .clear(.object(details.merging(["method": "passkey", "reason": .string(refusal.reason)]) { _, fixed in fixed }))))
        logger.info("passkey ceremony refused", metadata: ["action": "\(action)", "reason": "\(refusal.reason)"])
        throw refusal
    }

    /// A passkey as a ledger resource: its credential id in base64url.
    static func resource(_ credentialID: [UInt8]) -> LedgerEntry.ResourceReference {
        .init(type: "passkey", id: Base64URL.encode(credentialID))
    }

    /// The `amr` values a passkey assertion proves (RFC 8176): a hardware-bound key (`hwk`) or one that may be
    /// synced between devices (`swk`), and multiple factors (`mfa`) when the authenticator verified the person,
    /// else a presence test only (`user`).
    static func methods(backupEligible: Bool, userVerified: Bool) -> [String] {
        [backupEligible ? "swk" : "hwk", userVerified ? "mfa" : "user"]
    }
}
