import Foundation
import Ledger
import PostgresNIO
import Testing
@testable import Gateway

/// A chain of 46 entries (the chain's first, then 45 events), checkpointed at 1 and every 10 after, written by the real writer into its own database, with the
/// trusted key file and witness file a verifier is given. Every third event (seq 3, 6, ..., 45) has no payload, so
/// that the verifier reads it in place; the others hold a clear payload, which goes to the general parser.
struct TamperFixture: Sendable {
    let database: TestDatabase
    let signingKey: Ed25519SigningKey
    let directory: URL
    let witnessFile: String

    static let entries = 45

    static func with(_ body: @Sendable (TamperFixture) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verifier-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var settings = WriterHarness.settings(checkpointEvery: 10)
            settings.witnessFile = directory.appendingPathComponent("witness.jsonl").path
            let fixture = TamperFixture(database: database, signingKey: .generate(), directory: directory, witnessFile: settings.witnessFile)
            try await fixture.write(settings: settings, payload: { n in ["n": .number(Double(n))] })
            try "\(Hex.encode(fixture.signingKey.publicKey.bytes))\n".write(
                to: directory.appendingPathComponent("trusted.pub"), atomically: true, encoding: .utf8)
            try await body(fixture)
        }
    }

    /// Appends the entries one after another (so that seq follows n), with a checkpoint every 10.
    func write(settings: LedgerWriterSettings, count: Int = entries, payload: @escaping @Sendable (Int) -> JSONValue) async throws {
        try await WriterHarness.with(database, settings: settings, signingKey: signingKey) { harness in
            for n in 1...count {
                _ = try await harness.writer.append(draft("test.event", payload: n % 3 == 2 ? .none : .clear(payload(n))))
            }
        }
    }

    /// Runs SQL as the database superuser with triggers off: what a DBA with full control can do.
    func tamper(_ statements: String...) async throws {
        try await database.tamper(statements)
    }

    struct Outcome {
        let status: Int32
        let report: [String: Any]
        let standardError: String
        var findings: [[String: Any]] { report["findings"] as? [[String: Any]] ?? [] }

        func finds(seq: Int64, check: String) -> Bool {
            findings.contains { ($0["seq"] as? NSNumber)?.int64Value == seq && $0["check"] as? String == check }
        }
        func finds(table: String) -> Bool { findings.contains { $0["table"] as? String == table } }
    }

    /// Runs `verifier verify`, connecting the libpq way (conninfo plus PGPASSWORD).
    func verify(witness: Bool = true, trustedKeys: String? = nil, extra: [String] = []) throws -> Outcome {
        try run(command: "verify", witness: witness, trustedKeys: trustedKeys, extra: extra, json: true)
    }

    /// Runs a verifier command that takes the verification options.
    func run(command: String, witness: Bool = true, trustedKeys: String? = nil, extra: [String], json: Bool) throws -> Outcome {
        let cluster = database.cluster
        var arguments = [
            command, "--database", "host=\(cluster.host) port=\(cluster.port) dbname=\(database.name) user=ledger_owner sslmode=disable",
            "--trusted-keys", trustedKeys ?? directory.appendingPathComponent("trusted.pub").path,
        ]
        if json { arguments += ["--format", "json"] }
        if witness { arguments += ["--witness", witnessFile] }
        let result = try Binaries.run(
            "verifier", arguments + extra, environment: ["PGPASSWORD": cluster.ownerPassword, "PATH": "/usr/bin:/bin"])
        let report = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
        return Outcome(status: result.status, report: report, standardError: result.standardError)
    }
}

@Suite("verifier verify against tampering a database superuser can do")
struct VerifierTamperTests {
    @Test("an untampered chain, its checkpoints and its witness file verify: exit 0")
    func intact() async throws {
        try await TamperFixture.with { fixture in
            let outcome = try fixture.verify()
            #expect(outcome.status == 0, "\(outcome.findings) \(outcome.standardError)")
            #expect((outcome.report["entries"] as? NSNumber)?.intValue == TamperFixture.entries + 1)
            #expect((outcome.report["checkpoints"] as? NSNumber)?.intValue == 5)
            #expect((outcome.report["witnessedCheckpoints"] as? NSNumber)?.intValue == 5)
        }
    }

    @Test("a modified payload is an entry whose bytes no longer match its hash")
    func modifiedPayload() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper(
                #"UPDATE ledger_entries SET canonical = convert_to(regexp_replace(convert_from(canonical, 'UTF8'), '"n":[0-9]+', '"n":999'), 'UTF8') WHERE seq = 17"#,
                // Bytes that mean the same entry but are not its canonical form, with the hash made to match.
                #"UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"payload":null', '"payload": null'), 'UTF8') WHERE seq = 18"#,
                #"UPDATE ledger_entries SET entry_hash = sha256('PHI-LEDGER-ENTRY-V1'::bytea || '\x00'::bytea || canonical) WHERE seq = 18"#)
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(seq: 17, check: "entry"), "\(outcome.findings)")
            #expect(outcome.finds(seq: 18, check: "entry"), "\(outcome.findings)")
        }
    }

    @Test("a modified header with its hash recomputed fails the signature; an edited index column is caught too")
    func modifiedHeader() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper(
                #"UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"action":"test.event"', '"action":"test.other"'), 'UTF8') WHERE seq = 23"#,
                #"UPDATE ledger_entries SET entry_hash = sha256('PHI-LEDGER-ENTRY-V1'::bytea || '\x00'::bytea || canonical), action = 'test.other' WHERE seq = 23"#,
                "UPDATE ledger_entries SET actor_id = 'someone-else' WHERE seq = 12",
                // The same on both ways of reading an entry (23 and 13 hold clear payloads, 27 and 12 are read in
                // place); and a prev_hash column that no longer matches the entry's prev: a column finding, not a broken link.
                #"UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"action":"test.event"', '"action":"test.other"'), 'UTF8') WHERE seq = 27"#,
                #"UPDATE ledger_entries SET entry_hash = sha256('PHI-LEDGER-ENTRY-V1'::bytea || '\x00'::bytea || canonical), action = 'test.other' WHERE seq = 27"#,
                "UPDATE ledger_entries SET actor_id = 'someone-else' WHERE seq = 13",
                "UPDATE ledger_entries SET prev_hash = sha256('x'::bytea) WHERE seq = 15")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1)
            for seq: Int64 in [23, 27] { #expect(outcome.finds(seq: seq, check: "signature"), "\(outcome.findings)") }
            for seq: Int64 in [12, 13, 15] { #expect(outcome.finds(seq: seq, check: "columns"), "\(outcome.findings)") }
            #expect(!outcome.finds(seq: 15, check: "link") && !outcome.finds(seq: 16, check: "link"), "\(outcome.findings)")
        }
    }

    @Test("an entry deleted from the middle leaves a gap at the next seq")
    func deletedEntry() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper("DELETE FROM ledger_entries WHERE seq = 20")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(seq: 21, check: "link"), "\(outcome.findings)")
        }
    }

    @Test("a forged entry appended with another key is not signed by a trusted key")
    func forgedEntry() async throws {
        try await TamperFixture.with { fixture in
            let head = try await fixture.database.withClient(fixture.database.appURL) { client in
                try await LedgerReader(client: client, chain: "main", logger: TestPostgres.logger).head()
            }
            let forger = Ed25519SigningKey.generate()
            let forged = SignedEntry(signing: LedgerEntry(
                chain: "main", seq: head.seq + 1, prev: head.hash, id: UUID().uuidString.lowercased(), recordedAt: LedgerTimestamp(Date()),
                actor: nil, action: "patient.read"), with: forger)
            try await fixture.tamper(
                """
                INSERT INTO ledger_entries (chain_id, seq, entry_hash, prev_hash, canonical, key_id, signature, recorded_at, action)
                VALUES ('main', \(head.seq + 1), '\\x\(Hex.encode(forged.entryHash))', '\\x\(Hex.encode(head.hash))',
                        '\\x\(Hex.encode(forged.canonicalBytes))', '\(forger.keyID)', '\\x\(Hex.encode(forged.signature))',
                        '\(forged.entry.recordedAt.description)', 'patient.read')
                """,
                "UPDATE ledger_heads SET seq = \(head.seq + 1), head_hash = '\\x\(Hex.encode(forged.entryHash))' WHERE chain_id = 'main'")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(seq: head.seq + 1, check: "signature"), "\(outcome.findings)")
        }
    }

    @Test("two entries swapped are out of order")
    func swappedEntries() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper(
                "UPDATE ledger_entries SET seq = 1000014 WHERE seq = 14", "UPDATE ledger_entries SET seq = 14 WHERE seq = 15",
                "UPDATE ledger_entries SET seq = 15 WHERE seq = 1000014")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(seq: 14, check: "link"), "\(outcome.findings)")
        }
    }

    @Test("a tail cut off tidily (entries, checkpoints and head) is caught by the witness file, not without it")
    func truncatedTail() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper(
                "DELETE FROM ledger_entries WHERE seq > 38", "DELETE FROM ledger_checkpoints WHERE tree_size > 38",
                "UPDATE ledger_heads SET seq = 38, head_hash = (SELECT entry_hash FROM ledger_entries WHERE seq = 38) WHERE chain_id = 'main'")
            #expect(try fixture.verify(witness: false).status == 0)
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(seq: 39, check: "witness"), "\(outcome.findings)")
        }
    }

    @Test("a chain rewritten whole with the stolen signing key is caught by the witness file")
    func rewrittenWithStolenKey() async throws {
        try await TamperFixture.with { fixture in
            try await fixture.tamper(
                "DELETE FROM ledger_entries", "DELETE FROM ledger_checkpoints",
                "UPDATE ledger_heads SET seq = 0, head_hash = '\\x\(String(repeating: "00", count: 32))', frontier = ''::bytea")
            // The thief writes a different history with the real key; the real witness file is out of reach.
            var settings = WriterHarness.settings(checkpointEvery: 10)
            settings.witnessFile = fixture.directory.appendingPathComponent("thief-witness.jsonl").path
            try await fixture.write(settings: settings, payload: { n in ["n": .number(Double(n * 2))] })
            #expect(try fixture.verify(witness: false).status == 0)
            let outcome = try fixture.verify()
            // The thief's history differs from the first entry on; the first witnessed checkpoint (tree size 1) says so.
            #expect(outcome.status == 1 && outcome.finds(seq: 1, check: "witness"), "\(outcome.findings)")
        }
    }

    @Test("a forged checkpoint does not verify")
    func forgedCheckpoint() async throws {
        try await TamperFixture.with { fixture in
            let forger = Ed25519SigningKey.generate()
            let note = Checkpoint(
                origin: "test.example/main", treeSize: 21, rootHash: [UInt8](repeating: 7, count: 32), headHash: [UInt8](repeating: 8, count: 32),
                time: LedgerTimestamp(Date())).signedNote(with: forger)
            try await fixture.tamper("UPDATE ledger_checkpoints SET note = '\(note)' WHERE tree_size = 21")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1)
            #expect(outcome.findings.contains { $0["table"] as? String == "ledger_checkpoints" && $0["row"] as? String == "tree_size 21" })
        }
    }

    @Test("--hashes-only skips each entry's signature but still catches a changed entry")
    func hashesOnly() async throws {
        try await TamperFixture.with { fixture in
            // A signature replaced by garbage: only a full verification sees it.
            try await fixture.tamper("UPDATE ledger_entries SET signature = '\\x\(String(repeating: "ab", count: 64))' WHERE seq = 30")
            let quick = try fixture.verify(extra: ["--hashes-only"])
            #expect(quick.status == 0, "\(quick.findings)")
            #expect((quick.report["checks"] as? [String])?.contains { $0.hasPrefix("signatures") } == false)
            let full = try fixture.verify()
            #expect(full.status == 1 && full.finds(seq: 30, check: "signature"), "\(full.findings)")
            try await fixture.tamper("DELETE FROM ledger_entries WHERE seq = 31")
            let gap = try fixture.verify(extra: ["--hashes-only"])
            #expect(gap.status == 1 && gap.finds(seq: 32, check: "link"), "\(gap.findings)")
        }
    }

    @Test("a key rotation entry hands signing to a new key: trusting only the old key, the chain verifies, fully and by hashes")
    func rotatedKey() async throws {
        try await TamperFixture.with { fixture in
            let newKey = Ed25519SigningKey.generate()
            var settings = WriterHarness.settings(checkpointEvery: 10)
            settings.witnessFile = fixture.witnessFile
            try await WriterHarness.with(fixture.database, settings: settings, signingKey: fixture.signingKey) { harness in
                guard case .clear(let proof) = KeyRotation.payload(chain: "main", oldKey: fixture.signingKey, newKey: newKey) else {
                    throw TestFailure("a rotation payload is clear")
                }
                _ = try await harness.writer.append(draft(KeyRotation.action, payload: .clear(proof)))
            }
            try await WriterHarness.with(fixture.database, settings: settings, signingKey: newKey) { harness in
                for n in 1...12 { _ = try await harness.writer.append(draft("test.event", payload: .clear(["after": .number(Double(n))]))) }
            }
            for extra in [[], ["--hashes-only"]] {
                let outcome = try fixture.verify(extra: extra)
                #expect(outcome.status == 0, "\(extra) \(outcome.findings) \(outcome.standardError)")
                #expect((outcome.report["trustedKeys"] as? [String])?.sorted() == [fixture.signingKey.keyID, newKey.keyID].sorted())
            }
            // An entry after the rotation signed by the old key, which no longer signs, is not taken for the new one's.
            try await fixture.tamper("UPDATE ledger_entries SET key_id = '\(fixture.signingKey.keyID)' WHERE seq = 50")
            #expect(try fixture.verify().finds(seq: 50, check: "signature"))
        }
    }

    @Test("a public key swapped in ledger_keys is named")
    func swappedPublicKey() async throws {
        try await TamperFixture.with { fixture in
            let other = Ed25519SigningKey.generate()
            try await fixture.tamper("UPDATE ledger_keys SET public_key = '\\x\(Hex.encode(other.publicKey.bytes))'")
            let outcome = try fixture.verify()
            #expect(outcome.status == 1 && outcome.finds(table: "ledger_keys"), "\(outcome.findings)")
        }
    }

    @Test("an untrusted key file, or a database it cannot reach, exits 2 with a message")
    func couldNotRun() async throws {
        try await TamperFixture.with { fixture in
            let wrongKeys = fixture.directory.appendingPathComponent("other.pub")
            try "\(Hex.encode(Ed25519SigningKey.generate().publicKey.bytes))\n".write(to: wrongKeys, atomically: true, encoding: .utf8)
            let untrusted = try fixture.verify(trustedKeys: wrongKeys.path)
            #expect(untrusted.status == 1 && untrusted.finds(seq: 1, check: "signature"))
            let garbage = fixture.directory.appendingPathComponent("garbage.pub")
            try "not a key\n".write(to: garbage, atomically: true, encoding: .utf8)
            let bad = try fixture.verify(trustedKeys: garbage.path)
            #expect(bad.status == 2 && bad.standardError.contains("garbage.pub:1"))
            let unreachable = try fixture.verify(extra: ["--database", "host=127.0.0.1 port=1 dbname=none connect_timeout=2"])
            #expect(unreachable.status == 2 && unreachable.standardError.contains("could not connect"))
        }
    }
}
