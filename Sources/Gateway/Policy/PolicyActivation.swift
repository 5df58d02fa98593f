import Foundation
import Ledger
import Logging
import PostgresNIO

/// Records the policy set in force: at start-up, unless the latest activation already names the same hash, a
/// `policy.activate` entry carries the hash and every file's name, SHA-256 and text, so the ledger alone shows
/// which rules decided each later entry (whose `policyVersion` is the same hash).
struct PolicyActivation: Sendable {
    let client: PostgresClient
    let writer: LedgerWriter
    let logger: Logger

    /// Returns the seq of the new activation entry, or nil when the set was already in force.
    @discardableResult
    func activate(_ policy: PolicySet) async throws -> Int64? {
        let hash = policy.hash
        let latest = try await client.query(
            "SELECT policy_hash FROM policy_activations ORDER BY ledger_seq DESC LIMIT 1", logger: logger)
        for try await current in latest.decode(String.self) where current == hash {
            logger.info("policy in force", metadata: ["policy_hash": "\(hash)"])
            return nil
        }
        let files: [JSONValue] = policy.files.map { file in
            ["name": .string(file.name), "sha256": .string(file.sha256), "text": .string(file.text)]
        }
        let draft = EntryDraft(
            action: "policy.activate", resource: .init(type: "policy", id: hash),
            payload: .clear(["policyHash": .string(hash), "files": .array(files)]))
        let receipt = try await writer.append(draft) { connection, context, logger in
            try await connection.run(
                "INSERT INTO policy_activations (ledger_seq, policy_hash) VALUES (\(context.seq), \(hash))", logger: logger)
        }
        logger.notice("policy activated", metadata: ["policy_hash": "\(hash)", "seq": "\(receipt.seq)", "rules": "\(policy.rules.count)"])
        return receipt.seq
    }
}
