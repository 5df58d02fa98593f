import Foundation
import Ledger
import NIOCore
import PostgresNIO
import WebAuthn

/// Signing in with a passkey: with an email, or with none (the browser offers the passkeys it holds for the
/// site, and the assertion's user handle names the account).
extension Passkeys {
    /// Options for a sign-in. With an email, the account's passkeys; an unknown email, or an account without
    /// passkeys, gets one decoy id derived from the email, so that the answer has the same shape either way.
    func signInOptions(email: String?) async throws -> RequestOptions {
        var userID: UUID?
        var allow: [Descriptor] = []
        if let email {
            let normalised = EmailAddress.normalised(email) ?? email.lowercased()
            if let account = try await signIn.lookup(email: normalised), account.status == "active" {
                userID = account.id
                allow = try await credentials.list(of: account.id).map { Descriptor(id: $0.id, transports: $0.transports) }
            }
            if allow.isEmpty {
                allow = [Descriptor(id: kek.fingerprint(Array(normalised.utf8), purpose: "passkey-decoy-credential"), transports: ["internal"])]
            }
        }
        let issued = try await challenges.issue(.authentication, userID: userID, sessionID: nil)
        // `preferred` for everyone: `required` here would tell whoever asks which accounts' roles touch PHI. The
        // policy is applied to the assertion, once it is known whose it is.
        return RequestOptions(
            challenge: issued.challenge, allowCredentials: allow, userVerification: "preferred", timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Verifies the assertion and opens a session, advancing the passkey's counter in the same transaction as
    /// the `auth.login` entry. A counter that went backwards refuses the sign-in and adds a
    /// `passkey.sign_count_regression` alert entry.
    func signIn(_ response: AuthenticationResponseJSON, requestID: String?, clientAddress: String?) async throws -> IssuedSession {
        var actor = LedgerEntry.Actor(userID: nil, clientAddress: clientAddress)
        var resource: LedgerEntry.ResourceReference?
        do {
            let (challenge, claim) = try await takeChallenge(answeredBy: response.response.clientDataJSON, for: .authentication)
            guard let credentialID = Base64URL.decode(response.rawId), !credentialID.isEmpty else {
                throw Refusal.malformed("rawId is not base64url")
            }
            guard let passkey = try await credentials.find(credentialID) else { throw Refusal.unknownPasskey }
            resource = Self.resource(passkey.id)
            let account = try await signIn.lookup(userID: passkey.userID)
            if let account { actor = LedgerEntry.Actor(userID: account.id.text, roles: account.roles, clientAddress: clientAddress) }
            // A sign-in begun with an email is for that account's passkeys only.
            if let expected = claim.userID, expected != passkey.userID { throw Refusal.unknownPasskey }
            guard let account, account.status == "active" else { throw Refusal.accountCannotSignIn }
            let verified = try await verifyAssertion(
                response, challenge: challenge, passkey: passkey, roles: account.roles, actor: actor, requestID: requestID)
            let methods = Self.methods(backupEligible: passkey.backupEligible, userVerified: verified.userVerified)
            return try await signIn.openSession(
                account, methods: methods, method: "passkey", details: ["passkey": .string(Base64URL.encode(passkey.id))],
                requestID: requestID, clientAddress: clientAddress, alsoApply: recordUse(of: passkey, verified))
        } catch let refusal as Refusal {
            try await refuse(refusal, action: "auth.login", actor: actor, resource: resource, requestID: requestID)
        }
    }

    /// Checks an assertion against a stored passkey with the user verification the account's roles need. On a
    /// counter regression, records the alert before refusing.
    func verifyAssertion(
        _ response: AuthenticationResponseJSON, challenge: [UInt8], passkey: StoredPasskey, roles: [String], actor: LedgerEntry.Actor,
        requestID: String?
    ) async throws -> VerifiedAssertion {
        guard let stored = passkey.verificationInput else { throw Refusal.notVerified(.coseKey("the stored public key does not decode")) }
        do {
            return try AuthenticationVerifier.verify(
                response, expectedChallenge: challenge, relyingParty: relyingParty, credential: stored,
                policy: verificationPolicy(requireUserVerification: requiresUserVerification(roles)))
        } catch .signCountRegression(let storedCount, let received) {
            _ = try await writer.append(EntryDraft(
                actor: actor, action: "passkey.sign_count_regression", resource: Self.resource(passkey.id), requestID: requestID,
                outcome: .failure,
                payload: .clear([
                    "user": .string(passkey.userID.text), "storedCount": .number(Double(storedCount)), "receivedCount": .number(Double(received)),
                ])))
            logger.warning("passkey counter went backwards: possible cloned authenticator", metadata: ["user_id": "\(passkey.userID.text)"])
            throw Refusal.signCountRegression
        } catch {
            throw Refusal.notVerified(error)
        }
    }

    /// The projection step that records a verified use: the new counter, BS and UV as of now. It only moves the
    /// counter forward from the value that was checked, so two sign-ins racing with one assertion cannot both win.
    func recordUse(of passkey: StoredPasskey, _ verified: VerifiedAssertion) -> ProjectionUpdate {
        let now = clock()
        return { connection, _, logger in
            let rows = try await connection.query(
                """
                UPDATE webauthn_credentials
                SET sign_count = \(Int64(verified.signCount)), backed_up = \(verified.backedUp), user_verified = \(verified.userVerified),
                    last_used_at = \(now)
                WHERE id = \(ByteBuffer(bytes: passkey.id)) AND sign_count = \(Int64(passkey.signCount))
                RETURNING 1
                """, logger: logger)
            var updated = false
            for try await _ in rows { updated = true }
            guard updated else { throw Refusal.signCountRegression }
        }
    }
}
