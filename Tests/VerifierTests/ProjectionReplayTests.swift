import Ledger
import Testing
@testable import Verifier

/// Entries as the gateway writes them, for replay.
private struct History {
    var seq: Int64 = 0
    let ada = "00000000-0000-0000-0000-00000000000a"
    let patient = "00000000-0000-0000-0000-0000000000c1"
    let other = "00000000-0000-0000-0000-0000000000c2"

    mutating func entry(
        _ action: String, resource: String, subject: String? = nil, roles: [String] = ["clinician"], outcome: LedgerEntry.Outcome = .success,
        payload: LedgerEntry.Payload = .none, purpose: String? = "TREAT"
    ) -> LedgerEntry {
        seq += 1
        return LedgerEntry(
            chain: "main", seq: seq, prev: genesisPrevHash, id: "entry-\(seq)", recordedAt: LedgerTimestamp(microsecondsSinceEpoch: 1_000_000 * seq),
            actor: .init(userID: ada, roles: roles), action: action, resource: .init(type: String(action.prefix { $0 != "." }), id: resource),
            subject: subject, purposeOfUse: purpose, outcome: outcome, payload: payload)
    }
}

@Suite("replaying the projections from the ledger")
struct ProjectionReplayTests {
    @Test("a patient's registration, a sealed update and an archive; the registering clinician joins the team")
    func patientLifecycle() {
        var history = History()
        var replay = ProjectionReplay()
        let fields: JSONValue = ["mrn": "MRN-1", "familyName": "Okonkwo", "givenName": "Chidi", "birthDate": "1961-04-09", "sex": "male"]
        replay.apply(history.entry("patient.create", resource: history.patient, subject: history.patient), payload: .known(fields))
        var row = replay.rows(of: .patients)[history.patient]
        #expect(row?["family_name"] == .text("Okonkwo") && row?["version"] == .text("1") && row?["created_at"] == .text("1000000"))
        #expect(replay.rows(of: .careTeamMembers)["\(history.patient)/\(history.ada)"]?["team_role"] == .text("attending"))

        // An update that cannot be opened leaves the sealed columns unknown, but the version still counts.
        replay.apply(history.entry("patient.update", resource: history.patient, subject: history.patient), payload: .sealed)
        row = replay.rows(of: .patients)[history.patient]
        #expect(row?["family_name"] == .unknown && row?["version"] == .text("2") && row?["updated_at"] == .text("2000000"))
        #expect(row?["ledger_seq"] == .text("2"))

        // A denied attempt changes nothing.
        replay.apply(
            history.entry("patient.archive", resource: history.patient, subject: history.patient, outcome: .denied), payload: .none)
        #expect(replay.rows(of: .patients)[history.patient]?["status"] == .text("active"))
        replay.apply(history.entry("patient.archive", resource: history.patient, subject: history.patient), payload: .sealed)
        row = replay.rows(of: .patients)[history.patient]
        #expect(row?["status"] == .text("archived") && row?["version"] == .text("3") && row?["ledger_seq"] == .text("4"))
    }

    @Test("an amendment without a title keeps the previous version's; a task update clears the due time and replaces the tags")
    func notesAndTasks() {
        var history = History()
        var replay = ProjectionReplay()
        let note = "00000000-0000-0000-0000-0000000000e1"
        replay.apply(
            history.entry("note.create", resource: note, subject: history.patient),
            payload: .known(["noteId": .string(note), "kind": "progress", "title": "Day 2", "body": "Afebrile."]))
        replay.apply(
            history.entry("note.amend", resource: note, subject: history.patient),
            payload: .known(["noteId": .string(note), "version": 2, "body": "Febrile.", "reason": "Misread chart."]))
        let amended = replay.rows(of: .clinicalNoteVersions)["\(note)/2"]
        #expect(amended?["title"] == .text("Day 2") && amended?["body"] == .text("Febrile.") && amended?["reason"] == .text("Misread chart."))
        #expect(replay.rows(of: .clinicalNoteVersions)["\(note)/1"]?["reason"] == .null)
        #expect(replay.rows(of: .clinicalNotes)[note]?["current_version"] == .text("2"))

        let task = "00000000-0000-0000-0000-0000000000f1"
        replay.apply(
            history.entry("task.create", resource: task, subject: history.patient),
            payload: .known([
                "taskId": .string(task), "title": "Bloods", "dueAt": "2026-11-23T08:30:00.250000Z", "tags": ["ward-7", "bloods"],
            ]))
        var row = replay.rows(of: .careTasks)[task]
        #expect(row?["due_at"] == .text("1795422600250000") && row?["tags"] == .text("bloods,ward-7"))
        #expect(row?["status"] == .text("open") && row?["priority"] == .text("normal") && row?["assignee_id"] == .null)
        replay.apply(
            history.entry("task.update", resource: task, subject: history.patient),
            payload: .known(["taskId": .string(task), "status": "done", "dueAt": .null, "tags": ["ward-7"]]))
        row = replay.rows(of: .careTasks)[task]
        #expect(row?["due_at"] == .null && row?["tags"] == .text("ward-7") && row?["status"] == .text("done") && row?["title"] == .text("Bloods"))
        #expect(row?["version"] == .text("2"))
    }

    @Test("a shred removes everything about the patient and nothing about another; a sealed care-team change makes the team uncertain")
    func shredAndUncertainTeams() {
        var history = History()
        var replay = ProjectionReplay()
        for patient in [history.patient, history.other] {
            replay.apply(history.entry("patient.create", resource: patient, subject: patient), payload: .sealed)
            let note = "note-of-\(patient)"
            replay.apply(history.entry("note.create", resource: note, subject: patient), payload: .sealed)
            replay.apply(history.entry("disclosure.create", resource: "disclosure-of-\(patient)", subject: patient), payload: .sealed)
        }
        replay.apply(history.entry("care_team.add", resource: history.patient, subject: history.patient), payload: .sealed)
        #expect(replay.uncertainCareTeams == [history.patient])
        replay.apply(history.entry("patient.shred", resource: history.patient, subject: history.patient, roles: ["compliance_officer"]),
                     payload: .known(["reason": "Erasure request."]))
        #expect(replay.rows(of: .patients).keys.sorted() == [history.other])
        #expect(replay.rows(of: .clinicalNotes).keys.sorted() == ["note-of-\(history.other)"])
        #expect(replay.rows(of: .clinicalNoteVersions).keys.sorted() == ["note-of-\(history.other)/1"])
        #expect(replay.rows(of: .disclosures).keys.sorted() == ["disclosure-of-\(history.other)"])
        #expect(replay.rows(of: .careTeamMembers).keys.sorted() == ["\(history.other)/\(history.ada)"])
        #expect(replay.uncertainCareTeams.isEmpty)
    }

    @Test("accounts: an invite, enrolment, a role change and disabling; a new invite for the same account changes nothing")
    func accounts() {
        var history = History()
        var replay = ProjectionReplay()
        let user = "00000000-0000-0000-0000-0000000000b0"
        replay.apply(history.entry("user.invite", resource: user, roles: ["admin"]), payload: .known(["roles": ["clinician"], "expiresAt": "x"]))
        replay.apply(history.entry("user.enroll", resource: user), payload: .known(["method": "password"]))
        replay.apply(
            history.entry("user.invite", resource: user, roles: ["admin"]),
            payload: .known(["roles": ["clinician"], "expiresAt": "x", "reason": "new invite"]))
        replay.apply(history.entry("user.roles.change", resource: user, roles: ["admin"]), payload: .known(["from": ["clinician"], "to": ["clinician", "nurse"]]))
        replay.apply(history.entry("user.disable", resource: user, roles: ["admin"]), payload: .known(["from": "active", "to": "disabled"]))
        let row = replay.rows(of: .users)[user]
        #expect(row?["roles"] == .text("clinician,nurse") && row?["status"] == .text("disabled") && row?["ledger_seq"] == .text("5"))
    }
}

@Suite("comparing replayed projections with the stored tables")
struct ProjectionComparisonTests {
    private func compare(_ replay: ProjectionReplay, _ table: ProjectionTable, _ stored: [[String?]]) throws -> [Finding] {
        var rows = stored.makeIterator()
        var findings: [Finding] = []
        try ProjectionComparison.compare(
            table, replayed: replay.rows(of: table), uncertainCareTeams: replay.uncertainCareTeams, stored: { rows.next() },
            record: { findings.append($0) })
        return findings
    }

    @Test("a changed column, a row no entry wrote and a missing row, named by table, key and column; unknown values match anything")
    func findings() throws {
        var history = History()
        var replay = ProjectionReplay()
        replay.apply(history.entry("patient.create", resource: history.patient, subject: history.patient, roles: ["nurse"]), payload: .sealed)
        replay.apply(history.entry("patient.create", resource: history.other, subject: history.other, roles: ["nurse"]), payload: .sealed)
        let stored: [[String?]] = [
            // Sealed columns unknown: any value passes; the version was changed.
            [history.patient, "MRN-1", "Anyone", "Any", "1961-04-09", "male", "active", "7", "1000000", "1000000", "1"],
            ["00000000-0000-0000-0000-0000000000ff", "MRN-9", "Ghost", "G", "1990-01-01", "male", "active", "1", "5", "5", "1"],
        ]
        let findings = try compare(replay, .patients, stored)
        #expect(findings.map(\.line) == [
            "seq 1, patients \(history.patient): column version differs from what the ledger recorded",
            "seq 1, patients 00000000-0000-0000-0000-0000000000ff: a row that no ledger entry wrote",
            "seq 2, patients \(history.other): the row the ledger wrote is missing",
        ])
    }

    @Test("care-team rows of a patient whose team could not be followed are not compared")
    func uncertainTeam() throws {
        var history = History()
        var replay = ProjectionReplay()
        replay.apply(history.entry("care_team.add", resource: history.patient, subject: history.patient), payload: .sealed)
        let stored: [[String?]] = [
            ["\(history.patient)/\(history.ada)", history.patient, "nurse", "1000000", "1"],
            ["\(history.other)/\(history.ada)", history.other, "nurse", "1000000", "1"],
        ]
        let findings = try compare(replay, .careTeamMembers, stored)
        #expect(findings.map(\.row) == ["\(history.other)/\(history.ada)"])
    }
}

@Suite("comparing the access log with the entries, as the chain streams")
struct AccessLogMergeTests {
    @Test("rows for each PHI entry's patients; a missing, an extra, a changed and a stray row are each found")
    func merge() throws {
        var history = History()
        let read = history.entry("patient.read", resource: history.patient, subject: history.patient, purpose: "ETREAT")
        let list = history.entry(
            "patient.list", resource: "*", payload: .clear(["patients": .array([.string(history.other), .string(history.patient)])]))
        let invite = history.entry("user.invite", resource: "u", roles: ["admin"])
        #expect(AccessLogRow.expected(for: invite).isEmpty)
        let expectedList = AccessLogRow.expected(for: list)
        #expect(expectedList.map(\.patientID) == [history.patient, history.other])
        let expectedRead = AccessLogRow.expected(for: read)
        #expect(expectedRead.first?.breakGlass == true && expectedRead.first?.recordedAt == "1000000")

        func row(_ seq: Int64, _ patient: String, action: String = "patient.list", breakGlass: Bool = false) -> AccessLogRow {
            AccessLogRow(
                seq: seq, patientID: patient, recordedAt: String(seq * 1_000_000), userID: history.ada, action: action, outcome: "success",
                breakGlass: breakGlass)
        }
        var stored = [
            row(1, history.patient, action: "patient.read", breakGlass: false),  // the break-glass flag removed
            row(2, history.patient),  // history.other's row deleted
            row(2, "00000000-0000-0000-0000-0000000000dd"),  // a row the entry did not write
            row(9, history.patient),  // after the chain's end
        ].makeIterator()
        var findings: [Finding] = []
        var merge = AccessLogMerge(next: { stored.next() }, record: { findings.append($0) })
        try merge.entry(seq: 1, expected: expectedRead)
        try merge.entry(seq: 2, expected: expectedList)
        try merge.entry(seq: 3, expected: AccessLogRow.expected(for: invite))
        try merge.finish()
        #expect(findings.map(\.line) == [
            "seq 1, phi_access ledger_seq 1, patient_id \(history.patient): column break_glass disagrees with the entry",
            "seq 2, phi_access ledger_seq 2, patient_id \(history.other): the access-log row the entry wrote is missing",
            "seq 2, phi_access ledger_seq 2, patient_id 00000000-0000-0000-0000-0000000000dd: a row the entry did not write",
            "seq 9, phi_access ledger_seq 9, patient_id \(history.patient): a row for an entry that is not in the chain",
        ])
    }
}
