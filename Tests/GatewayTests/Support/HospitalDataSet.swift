import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Synchronization
import Testing
@testable import Gateway

/// A small hospital's known history, made through the real API: staff invited and enrolled, patients registered,
/// updated and archived, care teams changed, notes written and amended, tasks, disclosures, a denied read, a
/// break-glass, a failed sign-in, privilege changes and a crypto-shred. Replay and reports are checked on it.
/// The ledger key, KEK and witness file are kept, with the files a verifier is given.
struct HospitalDataSet: Sendable {
    let gateway: AdministeredGateway
    let directory: URL
    let ids: IDs

    struct IDs: Sendable {
        var ada = "", nia = "", ben = "", cora = ""
        /// Chidi (updated; notes, a task, disclosures, a break-glass), Dana (shredded), Eve (archived).
        var chidi = "", dana = "", eve = ""
        var note = "", task = ""
    }

    var database: TestDatabase { gateway.database }
    var trustedKeysFile: String { directory.appendingPathComponent("ledger.pub").path }
    var kekFile: String { directory.appendingPathComponent("kek.b64").path }
    var witnessFile: String { directory.appendingPathComponent("witness.jsonl").path }

    static func with(_ body: @Sendable (HospitalDataSet) async throws -> Void) async throws {
        try await AdministeredGateway.with { gateway in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hospital-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kek = KeyEncryptionKey.generate()
            let partial = HospitalDataSet(gateway: gateway, directory: directory, ids: IDs())
            try kek.base64Text().write(toFile: partial.kekFile, atomically: true, encoding: .utf8)
            try "\(Hex.encode(gateway.signingKey.publicKey.bytes))\n".write(toFile: partial.trustedKeysFile, atomically: true, encoding: .utf8)
            let ids = Mutex(IDs())
            try await partial.serve { client in
                let made = try await Self.makeHistory(client)
                // A time-based checkpoint then covers the whole history, so that every entry can be proven.
                try await waitForCheckpointOverEveryEntry(gateway.database)
                ids.withLock { $0 = made }
            }
            try await body(HospitalDataSet(gateway: gateway, directory: directory, ids: ids.withLock { $0 }))
        }
    }

    /// Waits (a minute at most: a busy machine may delay the checkpointer) until the newest checkpoint covers every
    /// entry.
    private static func waitForCheckpointOverEveryEntry(_ database: TestDatabase) async throws {
        let covered = try await database.withClient(database.ownerURL) { client in
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let rows = try await client.query("""
                    SELECT (SELECT coalesce(max(tree_size), 0) FROM ledger_checkpoints)
                         = (SELECT count(*) FROM ledger_entries)
                    """, logger: TestPostgres.logger)
                for try await covered in rows.decode(Bool.self) where covered { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        if !covered { throw TestFailure("no checkpoint covered the whole history within a minute") }
    }

    /// Runs the gateway on the data set's database again, with its keys and witness file.
    func serve(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let kek = try String(contentsOfFile: kekFile, encoding: .utf8)
        let (signingKey, witness) = (gateway.signingKey, witnessFile)
        try await TestGateway.withApp(database: gateway.database, configure: { configuration in
            TestAccounts.configure(signingKey)(&configuration)
            configuration.keys.kekInline = kek
            configuration.ledger.witnessFile = witness
            configuration.ledger.checkpointEvery = 25
            configuration.ledger.checkpointInterval = .milliseconds(200)
        }, test)
    }

    private static func makeHistory(_ client: any TestClientProtocol) async throws -> IDs {
        var ids = IDs()
        let admin = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
        let ada = try await client.enrolledUser(admin: admin, email: "ada@hospital.example", roles: ["clinician"], name: "Ada Obi")
        let nia = try await client.enrolledUser(admin: admin, email: "nia@hospital.example", roles: ["nurse"], name: "Nia Long")
        let ben = try await client.enrolledUser(admin: admin, email: "ben@hospital.example", roles: ["clinician"], name: "Ben Ode")
        let cora = try await client.enrolledUser(admin: admin, email: "cora@hospital.example", roles: ["compliance_officer"], name: "Cora Hale")
        (ids.ada, ids.nia, ids.ben, ids.cora) = (ada.id, nia.id, ben.id, cora.id)

        func expect(_ answer: APIAnswer, _ status: HTTPResponse.Status, _ what: String) throws -> APIAnswer {
            guard answer.status == status else { throw TestFailure("\(what) answered \(answer.status), not \(status): \(answer.body)") }
            return answer
        }
        func created(_ path: String, _ token: String, _ json: [String: Any]) async throws -> String {
            let answer = try expect(try await client.call(.post, path, token: token, json: json), .created, "POST \(path)")
            guard let id = answer["id"] as? String else { throw TestFailure("POST \(path) gave no id") }
            return id
        }

        ids.chidi = try await created("/v1/patients", ada.token, PatientTests.chidi)
        ids.dana = try await created("/v1/patients", ada.token, [
            "mrn": "MRN-0042138", "familyName": "Reyes", "givenName": "Dana", "birthDate": "1987-12-01", "sex": "female",
        ])
        ids.eve = try await created("/v1/patients", ada.token, [
            "mrn": "MRN-0042139", "familyName": "Stone", "givenName": "Eve", "birthDate": "2001-06-30", "sex": "other",
        ])
        _ = try expect(
            try await client.call(.put, "/v1/patients/\(ids.chidi)/care-team/\(nia.id)", token: ada.token, json: ["teamRole": "nurse"]),
            .ok, "adding Nia to Chidi's team")
        _ = try expect(
            try await client.call(.put, "/v1/patients/\(ids.dana)/care-team/\(ben.id)", token: ada.token, json: ["teamRole": "consultant"]),
            .ok, "adding Ben to Dana's team")
        _ = try expect(
            try await client.call(.delete, "/v1/patients/\(ids.dana)/care-team/\(ben.id)", token: ada.token), .noContent,
            "removing Ben from Dana's team")
        _ = try expect(
            try await client.call(.patch, "/v1/patients/\(ids.chidi)", token: ada.token, json: ["familyName": "Okonkwo-Ade"]), .ok,
            "updating Chidi")
        _ = try expect(try await client.call(.post, "/v1/patients/\(ids.eve)/archive", token: ada.token), .ok, "archiving Eve")

        ids.note = try await created("/v1/patients/\(ids.chidi)/notes", ada.token, [
            "kind": "progress", "title": "Day 2", "body": "Afebrile overnight. Plan: continue antibiotics.",
        ])
        _ = try expect(
            try await client.call(.post, "/v1/patients/\(ids.chidi)/notes/\(ids.note)/amendments", token: ada.token, json: [
                "amends": 1, "body": "Afebrile overnight. Plan: stop antibiotics tomorrow.", "reason": "Plan changed after ward round.",
            ]), .created, "amending the note")
        ids.task = try await created("/v1/tasks", ada.token, [
            "patientId": ids.chidi, "title": "Repeat bloods", "priority": "high", "dueAt": "2026-11-23T08:30:00.250000Z",
            "assigneeId": nia.id, "tags": ["ward-7", "bloods"],
        ])
        _ = try expect(
            try await client.call(.patch, "/v1/tasks/\(ids.task)", token: nia.token, json: [
                "status": "done", "tags": ["ward-7"], "clear": ["dueAt"], "version": 1,
            ]), .ok, "completing the task")
        _ = try await created("/v1/patients/\(ids.chidi)/disclosures", ada.token, [
            "disclosedAt": "2026-11-02T10:15:00.5Z", "recipientName": "Springfield Rehabilitation Centre",
            "recipientAddress": "1 Hill Road, Springfield", "description": "Discharge summary.", "purpose": "Continuity of care.",
        ])
        _ = try await created("/v1/patients/\(ids.chidi)/disclosures", ada.token, [
            "disclosedAt": "2026-11-03T16:00:00Z", "recipientName": "County Public Health", "description": "Notifiable disease report.",
            "purpose": "Required by law.",
        ])

        _ = try expect(try await client.call(.get, "/v1/patients/\(ids.chidi)", token: nia.token), .ok, "Nia reading Chidi")
        _ = try expect(try await client.call(.get, "/v1/patients/\(ids.chidi)", token: ben.token), .notFound, "Ben reading Chidi")
        _ = try expect(
            try await client.call(.post, "/v1/break-glass", token: ben.token, json: [
                "patientId": ids.chidi, "reason": "Cardiac arrest on ward 7; attending unavailable.", "minutes": 30,
            ]), .created, "Ben's break-glass")
        _ = try expect(try await client.call(.get, "/v1/patients/\(ids.chidi)", token: ben.token), .ok, "Ben reading Chidi under break-glass")
        _ = try expect(try await client.login(email: "nia@hospital.example", password: "not her password"), .unauthorized, "a wrong password")

        _ = try expect(
            try await client.call(.patch, "/v1/users/\(ben.id)", token: admin, json: ["roles": ["clinician", "nurse"]]), .ok, "Ben's roles")
        _ = try expect(try await client.call(.patch, "/v1/users/\(ben.id)", token: admin, json: ["status": "disabled"]), .ok, "disabling Ben")

        // Cora steps up with a passkey and shreds Dana.
        let authenticator = PasskeyTestSite.authenticator()
        _ = try expect(try await client.registerPasskey(authenticator, token: cora.token), .created, "Cora's passkey")
        let stepped = try expect(try await client.stepUp(authenticator, token: cora.token, signCount: 1), .ok, "Cora's step-up")
        guard let steppedToken = stepped["accessToken"] as? String else { throw TestFailure("the step-up gave no token") }
        _ = try expect(
            try await client.call(.post, "/v1/patients/\(ids.dana)/shred", token: steppedToken, json: [
                "reason": "Erasure request ER-2026-0117, approved.",
            ]), .ok, "shredding Dana")
        return ids
    }

    /// Runs a verifier command against the data set's database (libpq conninfo plus PGPASSWORD), with `arguments`
    /// after the connection.
    func verifier(_ command: String, _ arguments: [String]) throws -> Binaries.Result {
        let cluster = database.cluster
        return try Binaries.run(
            "verifier",
            [command, "--database", "host=\(cluster.host) port=\(cluster.port) dbname=\(database.name) user=ledger_owner sslmode=disable"]
                + arguments,
            environment: ["PGPASSWORD": cluster.ownerPassword, "PATH": "/usr/bin:/bin"])
    }

    /// Runs SQL as the database superuser with triggers off: what a DBA with full control can do.
    func tamper(_ statements: String...) async throws {
        try await database.tamper(statements)
    }
}
