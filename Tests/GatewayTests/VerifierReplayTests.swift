import Foundation
import HTTPTypes
import Ledger
import PostgresNIO
import Testing
@testable import Gateway

/// `verifier verify --replay` on a known hospital history: the projections rebuilt from the ledger match the
/// tables, and a change made to a table outside the gateway is found, naming the table, the row and the column.
@Suite("verifier verify --replay against projection tables edited by a database superuser")
struct VerifierReplayTests {
    struct Outcome {
        let status: Int32
        let findings: [[String: Any]]
        let checks: [String]
        let standardError: String

        func finds(table: String, row: String, saying words: String, seq: Int64? = nil) -> Bool {
            findings.contains { finding in
                finding["table"] as? String == table && (finding["row"] as? String)?.contains(row) == true
                    && (finding["message"] as? String)?.contains(words) == true
                    && (seq == nil || (finding["seq"] as? NSNumber)?.int64Value == seq)
            }
        }
    }

    static func replay(_ data: HospitalDataSet, kek: Bool) throws -> Outcome {
        var arguments = ["--trusted-keys", data.trustedKeysFile, "--witness", data.witnessFile, "--replay", "--format", "json"]
        if kek { arguments += ["--kek", data.kekFile] }
        let result = try data.verifier("verify", arguments)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
        return Outcome(
            status: result.status, findings: report["findings"] as? [[String: Any]] ?? [], checks: report["checks"] as? [String] ?? [],
            standardError: result.standardError)
    }

    @Test("the untampered history replays to exactly the stored tables, with and without the KEK, shredded patient included")
    func intact() async throws {
        try await HospitalDataSet.with { data in
            let opened = try Self.replay(data, kek: true)
            #expect(opened.status == 0, "\(opened.findings) \(opened.standardError)")
            #expect(opened.checks.contains("projections replayed (sealed fields opened with the KEK)"))
            let sealed = try Self.replay(data, kek: false)
            #expect(sealed.status == 0, "\(sealed.findings) \(sealed.standardError)")
            #expect(sealed.checks.contains { $0.hasPrefix("projections replayed (ids, times and versions") })

            // Well past seq 100, where seqs compared as text would interleave ("100" sorts before "11") and the
            // access log, merged in seq order, would look tampered with.
            try await data.serve { client in
                let ada = try await client.accessToken(email: "ada@hospital.example", password: TestAccounts.password)
                for _ in 0..<120 {
                    #expect(try await client.call(.get, "/v1/patients/\(data.ids.chidi)", token: ada).status == .ok)
                }
            }
            let longer = try Self.replay(data, kek: true)
            #expect(longer.status == 0, "\(longer.findings.prefix(3)) \(longer.standardError)")
        }
    }

    @Test("edited, inserted and deleted projection rows are found; sealed fields only with the KEK")
    func editedProjections() async throws {
        try await HospitalDataSet.with { data in
            let ids = data.ids
            let chidiSeq = try await data.database.withClient(data.database.ownerURL) { client in
                try await client.query("SELECT ledger_seq FROM patients WHERE id = \(UUID(uuidString: ids.chidi)!)", logger: TestPostgres.logger)
                    .first(Int64.self) ?? -1
            }
            let readSeq = try await data.database.withClient(data.database.ownerURL) { client in
                try await client.query(
                    "SELECT max(ledger_seq) FROM phi_access WHERE user_id = \(UUID(uuidString: ids.ben)!) AND break_glass",
                    logger: TestPostgres.logger
                ).first(Int64.self) ?? -1
            }
            try await data.tamper(
                // A name changed in place, and a grant of access a DBA gave himself: both bypass the ledger.
                "UPDATE patients SET family_name = 'Okafor' WHERE id = '\(ids.chidi)'",
                "INSERT INTO care_team_members (patient_id, user_id, team_role, added_at, ledger_seq) VALUES ('\(ids.eve)', '\(ids.ben)', 'other', now(), 1)",
                // A break-glass read hidden from the access log, and a task's status turned back.
                "DELETE FROM phi_access WHERE ledger_seq = \(readSeq)",
                "UPDATE care_tasks SET status = 'open' WHERE id = '\(ids.task)'")

            let opened = try Self.replay(data, kek: true)
            #expect(opened.status == 1, "\(opened.standardError)")
            #expect(opened.finds(table: "patients", row: ids.chidi, saying: "column family_name differs", seq: chidiSeq), "\(opened.findings)")
            #expect(opened.finds(table: "care_team_members", row: "\(ids.eve)/\(ids.ben)", saying: "no ledger entry wrote"), "\(opened.findings)")
            #expect(opened.finds(table: "phi_access", row: "ledger_seq \(readSeq), patient_id \(ids.chidi)", saying: "missing", seq: readSeq))
            #expect(opened.finds(table: "care_tasks", row: ids.task, saying: "column status differs"), "\(opened.findings)")
            #expect(opened.findings.count == 4, "\(opened.findings)")
            // No PHI in the findings: the changed name appears nowhere.
            #expect(!"\(opened.findings)".contains("Okafor") && !"\(opened.findings)".contains("Okonkwo"))

            // Without the KEK the sealed columns are not compared; what the ledger holds in clear still is.
            let sealed = try Self.replay(data, kek: false)
            #expect(sealed.status == 1)
            #expect(!sealed.finds(table: "patients", row: ids.chidi, saying: "family_name"), "\(sealed.findings)")
            #expect(sealed.finds(table: "care_team_members", row: "\(ids.eve)/\(ids.ben)", saying: "no ledger entry wrote"), "\(sealed.findings)")
            #expect(sealed.finds(table: "phi_access", row: "ledger_seq \(readSeq)", saying: "missing"), "\(sealed.findings)")
        }
    }

    @Test("the wrong KEK is a usage error, exit 2, not a list of findings")
    func wrongKEK() async throws {
        try await HospitalDataSet.with { data in
            try KeyEncryptionKey.generate().base64Text().write(toFile: data.kekFile, atomically: true, encoding: .utf8)
            let outcome = try Self.replay(data, kek: true)
            #expect(outcome.status == 2 && outcome.standardError.contains("does not unwrap"), "\(outcome.standardError)")
        }
    }
}
