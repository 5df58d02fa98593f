import Foundation
import Logging
import NIOCore
import PostgresNIO
import WebAuthn

/// A registered passkey, as the gateway keeps it.
struct StoredPasskey: Sendable, Equatable {
    let id: [UInt8]
    let userID: UUID
    let name: String
    /// The COSE_Key bytes as the authenticator encoded them.
    let publicKey: [UInt8]
    let signCount: UInt32
    let backupEligible: Bool
    let backedUp: Bool
    let userVerified: Bool
    let transports: [String]
    let aaguid: UUID
    let attestationFormat: String
    let createdAt: Date
    let lastUsedAt: Date?

    /// What the verifier needs to check an assertion against this passkey; nil when the stored key no longer
    /// decodes, which the caller treats as a failed verification.
    var verificationInput: StoredCredential? {
        guard let value = try? CBORDecoder().decode(publicKey), let key = try? COSEKey(value) else { return nil }
        return StoredCredential(
            credentialID: id, publicKey: key, signCount: signCount, backupEligible: backupEligible, userHandle: UserHandle.bytes(of: userID))
    }
}

/// The WebAuthn user handle of an account: its id's 16 bytes. Opaque, stable, and free of personal data, as the
/// specification asks.
enum UserHandle {
    static func bytes(of userID: UUID) -> [UInt8] {
        withUnsafeBytes(of: userID.uuid, Array.init)
    }
}

/// The authenticator model a credential names (AAGUID), as a UUID.
enum AAGUID {
    /// All zeros: the authenticator did not say (as with `none` attestation, usually).
    static let unknown = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static func uuid(_ bytes: [UInt8]) -> UUID {
        guard bytes.count == 16 else { return unknown }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let groups = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return UUID(uuidString: groups.joined(separator: "-")) ?? unknown
    }
}

/// Reads and removes passkeys. Writes happen in ledger projections (`PasskeyRegistration`, the ceremonies).
struct PasskeyCredentials: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Most passkeys one account may hold: enough for every device a person uses, few enough that an
    /// `excludeCredentials` list stays small.
    static let maximumPerAccount = 25

    private static let columns = """
        id, user_id, name, public_key, sign_count, backup_eligible, backed_up, user_verified, transports, aaguid,
        attestation_format, created_at, last_used_at
        """

    /// The account's passkeys, newest first.
    func list(of userID: UUID) async throws -> [StoredPasskey] {
        try await query(
            "SELECT \(unescaped: Self.columns) FROM webauthn_credentials WHERE user_id = \(userID) ORDER BY created_at DESC, id LIMIT \(Self.maximumPerAccount * 2)")
    }

    /// The passkey with this credential id, whoever holds it.
    func find(_ credentialID: [UInt8]) async throws -> StoredPasskey? {
        try await query("SELECT \(unescaped: Self.columns) FROM webauthn_credentials WHERE id = \(ByteBuffer(bytes: credentialID))").first
    }

    private func query(_ statement: PostgresQuery) async throws -> [StoredPasskey] {
        let rows = try await client.query(statement, logger: logger)
        var passkeys: [StoredPasskey] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            passkeys.append(StoredPasskey(
                id: Array(buffer: try columns[0].decode(ByteBuffer.self)), userID: try columns[1].decode(UUID.self),
                name: try columns[2].decode(String.self), publicKey: Array(buffer: try columns[3].decode(ByteBuffer.self)),
                signCount: UInt32(clamping: try columns[4].decode(Int64.self)), backupEligible: try columns[5].decode(Bool.self),
                backedUp: try columns[6].decode(Bool.self), userVerified: try columns[7].decode(Bool.self),
                transports: try columns[8].decode([String].self), aaguid: try columns[9].decode(UUID.self),
                attestationFormat: try columns[10].decode(String.self), createdAt: try columns[11].decode(Date.self),
                lastUsedAt: try columns[12].decode(Date?.self)))
        }
        return passkeys
    }
}
