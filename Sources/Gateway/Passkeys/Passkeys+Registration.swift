import Foundation
import Ledger
import NIOCore
import PostgresNIO
import WebAuthn

/// Adding a passkey to the signed-in caller's account.
extension Passkeys {
    /// Options for `navigator.credentials.create()`.
    struct CreationOptions: Sendable, Equatable {
        let challenge: [UInt8]
        let userHandle: [UInt8]
        let userName: String
        let displayName: String
        /// The account's passkeys, so that one authenticator is not registered twice.
        let excludeCredentials: [Descriptor]
        let userVerification: String
        let timeoutMilliseconds: Int
    }

    /// The COSE algorithms offered, in order of preference: EdDSA and ES256 cover nearly every authenticator;
    /// RS256 and PS256 are for Windows Hello and older TPMs.
    static let offeredAlgorithms: [COSEAlgorithm] = [.edDSA, .es256, .ps256, .rs256]

    func registrationOptions(for principal: Principal) async throws -> CreationOptions {
        guard let account = try await accounts.account(principal.userID) else { throw Refusal.accountCannotSignIn }
        let existing = try await credentials.list(of: principal.userID)
        guard existing.count < PasskeyCredentials.maximumPerAccount else { throw Refusal.tooManyPasskeys }
        let issued = try await challenges.issue(.registration, userID: principal.userID, sessionID: principal.sessionID)
        return CreationOptions(
            challenge: issued.challenge, userHandle: UserHandle.bytes(of: principal.userID), userName: account.email,
            displayName: account.name, excludeCredentials: existing.map { Descriptor(id: $0.id, transports: $0.transports) },
            userVerification: requiresUserVerification(principal.roles) ? "required" : "preferred",
            timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Verifies the new credential against the challenge issued to this session and stores it, in the same
    /// transaction as its `passkey.register` entry.
    func register(
        _ response: RegistrationResponseJSON, name: String?, principal: Principal, requestID: String?, clientAddress: String?
    ) async throws -> StoredPasskey {
        let actor = principal.actor(clientAddress: clientAddress)
        let action = "passkey.register"
        let subject = LedgerEntry.ResourceReference(type: "user", id: principal.userID.text)
        do {
            let (challenge, _) = try await takeChallenge(
                answeredBy: response.response.clientDataJSON, for: .registration, session: principal)
            let credential: RegisteredCredential
            do {
                credential = try await RegistrationVerifier.verify(
                    response, expectedChallenge: challenge, relyingParty: relyingParty,
                    policy: verificationPolicy(requireUserVerification: requiresUserVerification(principal.roles)))
            } catch {
                throw Refusal.notVerified(error)
            }
            return try await store(credential, name: name, principal: principal, actor: actor, requestID: requestID)
        } catch let refusal as Refusal {
            try await refuse(refusal, action: action, actor: actor, resource: subject, requestID: requestID)
        }
    }

    private func store(
        _ credential: RegisteredCredential, name: String?, principal: Principal, actor: LedgerEntry.Actor, requestID: String?
    ) async throws -> StoredPasskey {
        let now = clock()
        let aaguid = AAGUID.uuid(credential.aaguid)
        let stored = StoredPasskey(
            id: credential.credentialID, userID: principal.userID, name: name ?? "Passkey added \(LedgerTimestamp(now).description.prefix(10))",
            publicKey: credential.publicKeyBytes, signCount: credential.signCount, backupEligible: credential.backupEligible,
            backedUp: credential.backedUp, userVerified: credential.userVerified,
            transports: Array(credential.transports.prefix(16)), aaguid: aaguid, attestationFormat: credential.attestationFormat,
            createdAt: now, lastUsedAt: nil)
        // The name is the person's own words and stays out of the ledger; the facts a reviewer needs go in.
        let draft = EntryDraft(
            actor: actor, action: "passkey.register", resource: Self.resource(credential.credentialID), requestID: requestID,
            payload: .clear([
                "user": .string(principal.userID.text), "aaguid": .string(aaguid.text), "format": .string(credential.attestationFormat),
                "algorithm": .number(Double(credential.publicKey.algorithm.rawValue)), "backupEligible": .bool(credential.backupEligible),
                "userVerified": .bool(credential.userVerified),
            ]))
        _ = try await writer.append(draft) { connection, context, logger in
            let rows = try await connection.query(
                """
                WITH held AS (SELECT count(*) AS n FROM webauthn_credentials WHERE user_id = \(stored.userID))
                INSERT INTO webauthn_credentials (
                    id, user_id, name, public_key, algorithm, sign_count, backup_eligible, backed_up, user_verified, transports,
                    aaguid, attestation_format, created_at, ledger_seq)
                SELECT \(ByteBuffer(bytes: stored.id)), \(stored.userID), \(stored.name), \(ByteBuffer(bytes: stored.publicKey)),
                       \(Int(credential.publicKey.algorithm.rawValue)), \(Int64(stored.signCount)), \(stored.backupEligible), \(stored.backedUp),
                       \(stored.userVerified), \(stored.transports), \(stored.aaguid), \(stored.attestationFormat), \(now), \(context.seq)
                FROM held WHERE held.n < \(PasskeyCredentials.maximumPerAccount)
                ON CONFLICT (id) DO NOTHING
                RETURNING (SELECT n FROM held)
                """, logger: logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            guard inserted else {
                // Either the id exists or the account is full; tell which, for the answer.
                let full = try await connection.query(
                    "SELECT count(*) >= \(PasskeyCredentials.maximumPerAccount) FROM webauthn_credentials WHERE user_id = \(stored.userID)",
                    logger: logger)
                for try await isFull in full.decode(Bool.self) where isFull { throw Refusal.tooManyPasskeys }
                throw Refusal.alreadyRegistered
            }
        }
        logger.info("passkey registered", metadata: ["user_id": "\(principal.userID.text)", "format": "\(credential.attestationFormat)"])
        return stored
    }
}
