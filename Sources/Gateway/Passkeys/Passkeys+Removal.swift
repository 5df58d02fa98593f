import Foundation
import Ledger
import NIOCore
import PostgresNIO
import WebAuthn

/// Listing and removing the caller's own passkeys.
extension Passkeys {
    func list(for principal: Principal) async throws -> [StoredPasskey] {
        try await credentials.list(of: principal.userID)
    }

    /// Removes one of the caller's passkeys in the transaction of its `passkey.remove` entry. False when the caller
    /// holds no passkey with this id (nothing is recorded then, since nothing happened).
    func remove(_ credentialID: [UInt8], principal: Principal, requestID: String?, clientAddress: String?) async throws -> Bool {
        guard let passkey = try await credentials.find(credentialID), passkey.userID == principal.userID else { return false }
        do {
            _ = try await writer.append(EntryDraft(
                actor: principal.actor(clientAddress: clientAddress), action: "passkey.remove", resource: Self.resource(passkey.id),
                requestID: requestID, payload: .clear(["user": .string(principal.userID.text)]))) { connection, _, logger in
                let rows = try await connection.query(
                    "DELETE FROM webauthn_credentials WHERE id = \(ByteBuffer(bytes: passkey.id)) AND user_id = \(principal.userID) RETURNING 1",
                    logger: logger)
                var removed = false
                for try await _ in rows { removed = true }
                guard removed else { throw Refusal.unknownPasskey }
            }
        } catch Refusal.unknownPasskey {
            return false  // removed meanwhile by another request
        }
        logger.info("passkey removed", metadata: ["user_id": "\(principal.userID.text)"])
        return true
    }
}
