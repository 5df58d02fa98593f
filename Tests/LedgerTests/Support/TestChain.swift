@testable import Ledger

/// Builds small signed chains for tests.
enum TestChain {
    static func entry(seq: Int64, prev: [UInt8], chain: String = "main", subject: String? = "patient-1", action: String = "patient.update") -> LedgerEntry {
        LedgerEntry(
            chain: chain, seq: seq, prev: prev, id: "entry-\(seq)",
            recordedAt: LedgerTimestamp(microsecondsSinceEpoch: 1_790_000_000_000_000 + seq),
            actor: .init(userID: "user-1", roles: ["clinician"], sessionID: "session-1", authMethods: ["pwd"], clientAddress: "127.0.0.1"),
            action: action, resource: .init(type: "patient", id: subject ?? "none"), subject: subject,
            purposeOfUse: "TREAT", policyVersion: String(repeating: "ab", count: 32), requestID: "request-\(seq)",
            outcome: .success, payload: .clear(["field": "name"]))
    }

    static func make(count: Int, key: Ed25519SigningKey, chain: String = "main") -> [SignedEntry] {
        var entries: [SignedEntry] = []
        var prev = genesisPrevHash
        for seq in 1...Int64(count) {
            let signed = SignedEntry(signing: entry(seq: seq, prev: prev, chain: chain), with: key)
            entries.append(signed)
            prev = signed.entryHash
        }
        return entries
    }
}
