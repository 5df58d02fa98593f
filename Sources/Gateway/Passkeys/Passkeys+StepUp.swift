import Foundation
import Ledger
import PostgresNIO
import Synchronization
import WebAuthn

/// Stepping up a signed-in session: the person proves again, with one of their passkeys, that they are at the
/// keyboard. The session's `stepped_up_at` (read by the `step_up` policy condition), `auth_time` and `amr` move
/// forward, and a new access token carries them.
extension Passkeys {
    /// A completed step-up.
    struct SteppedUp: Sendable, Equatable {
        let accessToken: String
        let steppedUpAt: Date
    }

    func stepUpOptions(for principal: Principal) async throws -> RequestOptions {
        let passkeys = try await credentials.list(of: principal.userID)
        guard !passkeys.isEmpty else { throw Refusal.noPasskeys }
        let issued = try await challenges.issue(.stepUp, userID: principal.userID, sessionID: principal.sessionID)
        return RequestOptions(
            challenge: issued.challenge, allowCredentials: passkeys.map { Descriptor(id: $0.id, transports: $0.transports) },
            userVerification: requiresUserVerification(principal.roles) ? "required" : "preferred", timeoutMilliseconds: timeoutMilliseconds)
    }

    func stepUp(
        _ response: AuthenticationResponseJSON, principal: Principal, requestID: String?, clientAddress: String?
    ) async throws -> SteppedUp {
        let actor = principal.actor(clientAddress: clientAddress)
        var resource = LedgerEntry.ResourceReference(type: "session", id: principal.sessionID.text)
        do {
            let (challenge, _) = try await takeChallenge(answeredBy: response.response.clientDataJSON, for: .stepUp, session: principal)
            guard let credentialID = Base64URL.decode(response.rawId), let passkey = try await credentials.find(credentialID),
                  passkey.userID == principal.userID
            else { throw Refusal.unknownPasskey }
            resource = Self.resource(passkey.id)
            let verified = try await verifyAssertion(
                response, challenge: challenge, passkey: passkey, roles: principal.roles, actor: actor, requestID: requestID)
            return try await recordStepUp(principal, passkey: passkey, verified, actor: actor, requestID: requestID)
        } catch let refusal as Refusal {
            try await refuse(
                refusal, action: "auth.step_up", actor: actor, resource: resource, details: ["session": .string(principal.sessionID.text)],
                requestID: requestID)
        }
    }

    private func recordStepUp(
        _ principal: Principal, passkey: StoredPasskey, _ verified: VerifiedAssertion, actor: LedgerEntry.Actor, requestID: String?
    ) async throws -> SteppedUp {
        let now = clock()
        let added = Self.methods(backupEligible: passkey.backupEligible, userVerified: verified.userVerified)
        let recordUse = recordUse(of: passkey, verified)
        // The session's methods after the step-up, as the projection wrote them (another step-up may have raced).
        let methods = Mutex<[String]?>(nil)
        _ = try await writer.append(EntryDraft(
            actor: actor, action: "auth.step_up", resource: .init(type: "session", id: principal.sessionID.text), requestID: requestID,
            payload: .clear([
                "method": "passkey", "passkey": .string(Base64URL.encode(passkey.id)), "userVerified": .bool(verified.userVerified),
            ]))) { connection, context, logger in
            let rows = try await connection.query(
                """
                UPDATE sessions
                SET stepped_up_at = \(now), auth_time = \(now),
                    amr = ARRAY(SELECT DISTINCT method FROM unnest(amr || \(added)::text[]) AS method ORDER BY method)
                WHERE id = \(principal.sessionID) AND user_id = \(principal.userID) AND revoked_at IS NULL
                RETURNING amr
                """, logger: logger)
            for try await amr in rows.decode([String].self) { methods.withLock { $0 = amr } }
            guard methods.withLock({ $0 }) != nil else { throw Refusal.accountCannotSignIn }
            try await recordUse(connection, context, logger)
        }
        let accessToken = try tokens.issue(
            userID: principal.userID, sessionID: principal.sessionID, roles: principal.roles, authTime: now,
            methods: methods.withLock { $0 } ?? added, now: now, settings: accountSettings)
        logger.info("session stepped up", metadata: ["user_id": "\(principal.userID.text)", "session_id": "\(principal.sessionID.text)"])
        return SteppedUp(accessToken: accessToken, steppedUpAt: now)
    }
}
