import Foundation
import Ledger
import Testing
@testable import Gateway

/// `verifier report` on the known hospital history: its figures, its CSV and FHIR forms, and the HTML page as
/// headless Chromium draws it.
@Suite("verifier report on a known history")
struct VerifierReportTests {
    /// A window from before the history's disclosures (dated 2026-11-02 and -03) to the end of today.
    static var window: [String] {
        let tomorrow = Date().addingTimeInterval(86_400)
        return ["--from", "2026-11-01", "--to", String(LedgerTimestamp(tomorrow).description.prefix(10))]
    }

    static func report(_ data: HospitalDataSet, _ arguments: [String], kek: Bool = true) throws -> Binaries.Result {
        var all = ["--trusted-keys", data.trustedKeysFile, "--witness", data.witnessFile] + window + arguments
        if kek { all += ["--kek", data.kekFile] }
        return try data.verifier("report", all)
    }

    static func json(_ result: Binaries.Result) throws -> [String: Any] {
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] else {
            throw TestFailure("report exited \(result.status): \(result.standardError)")
        }
        return object
    }

    @Test("the JSON report's figures: accesses by person, disclosures with the 164.528 fields, break-glass, sign-in failures, privilege changes")
    func figures() async throws {
        try await HospitalDataSet.with { data in
            let ids = data.ids
            let report = try Self.json(try Self.report(data, ["--format", "json"]))
            let status = try #require(report["chainStatus"] as? [String: Any])
            #expect(status["intact"] as? Bool == true && status["findings"] as? Int == 0)
            #expect(report["sealedFieldsOpened"] as? Bool == true)

            // Ada: 3 registrations, 3 care-team changes, an update, an archive, a note and its amendment, a task and
            // 2 disclosures. Nia: a task update and a read. Ben: a denied read, a break-glass and a read under it.
            // Cora: the shred.
            let summary = try #require(report["accessSummary"] as? [String: Any])
            #expect(summary["total"] as? Int == 19 && summary["denied"] as? Int == 1 && summary["underBreakGlass"] as? Int == 2, "\(summary)")
            let byUser = try #require(summary["byUser"] as? [[String: Any]])
            let counts = Dictionary(uniqueKeysWithValues: byUser.map { ($0["key"] as? String ?? "", $0["total"] as? Int ?? -1) })
            #expect(counts == [ids.ada: 13, ids.nia: 2, ids.ben: 3, ids.cora: 1], "\(counts)")
            let ben = try #require(byUser.first { $0["key"] as? String == ids.ben })
            #expect(ben["denied"] as? Int == 1 && ben["underBreakGlass"] as? Int == 2)
            let people = try #require(report["people"] as? [String: String])
            #expect(people[ids.ben] == "Ben Ode" && people[ids.ada] == "Ada Obi")

            let disclosures = try #require(report["disclosures"] as? [[String: Any]])
            #expect(disclosures.count == 2)
            let first = try #require(disclosures.first)
            #expect(first["patient"] as? String == ids.chidi && first["recordedBy"] as? String == ids.ada)
            #expect(first["disclosedAt"] as? String == "2026-11-02T10:15:00.500000Z")
            #expect(first["recipientName"] as? String == "Springfield Rehabilitation Centre")
            #expect(first["recipientAddress"] as? String == "1 Hill Road, Springfield")
            #expect(first["description"] as? String == "Discharge summary." && first["purpose"] as? String == "Continuity of care.")
            #expect(disclosures.last?["recipientAddress"] == nil && disclosures.last?["purpose"] as? String == "Required by law.")

            let breakGlass = try #require(report["breakGlass"] as? [[String: Any]])
            #expect(breakGlass.count == 1)
            #expect(breakGlass.first?["user"] as? String == ids.ben && breakGlass.first?["patient"] as? String == ids.chidi)
            #expect(breakGlass.first?["minutes"] as? Int == 30 && breakGlass.first?["accessesUnderGrant"] as? Int == 1)
            #expect(breakGlass.first?["reason"] as? String == "Cardiac arrest on ward 7; attending unavailable.")

            let failed = try #require(report["failedSignIns"] as? [[String: Any]])
            #expect(failed.count == 1 && failed.first?["account"] as? String == ids.nia, "\(failed)")
            #expect((report["lockouts"] as? [[String: Any]])?.isEmpty == true)

            let changes = try #require(report["privilegeChanges"] as? [[String: Any]])
            #expect(changes.filter { $0["action"] as? String == "user.invite" }.count == 5)
            #expect(changes.contains {
                $0["action"] as? String == "user.roles.change" && $0["target"] as? String == ids.ben && $0["from"] as? String == "clinician"
                    && $0["to"] as? String == "clinician, nurse"
            })
            #expect(changes.contains { $0["action"] as? String == "user.disable" && $0["target"] as? String == ids.ben })

            let patients = try #require(report["patients"] as? [String: [String: Any]])
            #expect(patients[ids.chidi]?["name"] as? String == "Chidi Okonkwo-Ade" && patients[ids.chidi]?["mrn"] as? String == "MRN-0042137")
            #expect(patients[ids.dana]?["shredded"] as? Bool == true && patients[ids.dana]?["name"] == nil)
            #expect(patients[ids.eve]?["name"] as? String == "Eve Stone")

            // Without the KEK, the same figures and no sealed field.
            let sealed = try Self.json(try Self.report(data, ["--format", "json"], kek: false))
            #expect((sealed["accessSummary"] as? [String: Any])?["total"] as? Int == 19)
            let sealedDisclosures = try #require(sealed["disclosures"] as? [[String: Any]])
            #expect(sealedDisclosures.count == 2 && sealedDisclosures.allSatisfy { $0["recipientName"] == nil && $0["purpose"] == nil })
            #expect(!"\(sealed)".contains("Okonkwo") && !"\(sealed)".contains("Cardiac"))
        }
    }

    @Test("one patient's disclosures as CSV, and one account's events as FHIR R4 AuditEvent NDJSON")
    func csvAndFHIR() async throws {
        try await HospitalDataSet.with { data in
            let ids = data.ids
            let csv = try Self.report(data, ["--patient", ids.chidi, "--format", "csv", "--section", "disclosures"])
            #expect(csv.status == 0, "\(csv.standardError)")
            let lines = csv.standardOutput.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("seq,disclosed_at,patient_id,patient_mrn,patient_name,recipient_name,recipient_address") == true)
            #expect(lines[1].contains(#",MRN-0042137,Chidi Okonkwo-Ade,Springfield Rehabilitation Centre,"1 Hill Road, Springfield",Discharge summary."#))

            let fhir = try Self.report(data, ["--user", ids.ben, "--format", "fhir"])
            #expect(fhir.status == 0, "\(fhir.standardError)")
            let events = try fhir.standardOutput.split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            #expect(events.allSatisfy { $0["resourceType"] as? String == "AuditEvent" && $0["recorded"] is String && $0["source"] != nil })
            func subtype(_ event: [String: Any]) -> String? { ((event["subtype"] as? [[String: Any]])?.first)?["code"] as? String }
            // Invited, enrolled, signed in, a denied read, a break-glass and a read under it, a role change, disabled.
            #expect(events.compactMap(subtype) == [
                "user.invite", "user.enroll", "auth.login", "patient.read", "break_glass.open", "patient.read", "user.roles.change", "user.disable",
            ])
            let denied = try #require(events.first { subtype($0) == "patient.read" })
            #expect(denied["outcome"] as? String == "4" && denied["action"] as? String == "R")
            let underGrant = try #require(events.last { subtype($0) == "patient.read" })
            let purpose = ((underGrant["purposeOfEvent"] as? [[String: Any]])?.first?["coding"] as? [[String: Any]])?.first?["code"] as? String
            #expect(purpose == "ETREAT" && underGrant["outcome"] as? String == "0")
            let entities = try #require(underGrant["entity"] as? [[String: Any]])
            #expect(entities.contains { ($0["what"] as? [String: Any])?["reference"] as? String == "Patient/\(ids.chidi)" })
            #expect(!fhir.standardOutput.contains("Okonkwo"))
        }
    }

    @Test("the HTML report is one self-contained page, and headless Chromium draws it")
    func htmlRendered() async throws {
        try await HospitalDataSet.with { data in
            let page = data.directory.appendingPathComponent("report.html")
            let written = try Self.report(data, ["--out", page.path])
            #expect(written.status == 0 && written.standardOutput.isEmpty, "\(written.standardError)")
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(html.contains("Accounting of disclosures (HIPAA 164.528)") && html.contains("<svg") && html.contains("Chain intact"))
            #expect(html.contains("Springfield Rehabilitation Centre") && html.contains("Chidi Okonkwo-Ade"))
            #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
            let mode = try FileManager.default.attributesOfItem(atPath: page.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)

            let picture = data.directory.appendingPathComponent("report.png")
            let chromium = ProcessInfo.processInfo.environment["CHROMIUM_BINARY"] ?? "/usr/bin/chromium"
            let render = Process()
            render.executableURL = URL(fileURLWithPath: chromium)
            render.arguments = [
                // A container's /dev/shm is often too small for Chromium: shared memory goes to /tmp instead.
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=\(data.directory.path)/chromium", "--window-size=1100,2400", "--screenshot=\(picture.path)",
                page.absoluteString,
            ]
            let chromiumLog = data.directory.appendingPathComponent("chromium.log")
            FileManager.default.createFile(atPath: chromiumLog.path, contents: nil)
            let logHandle = try FileHandle(forWritingTo: chromiumLog)
            render.standardOutput = logHandle
            render.standardError = logHandle
            try render.run()
            render.waitUntilExit()
            try logHandle.close()
            let said = { (try? String(contentsOf: chromiumLog, encoding: .utf8).suffix(2000)).map(String.init) ?? "" }
            #expect(render.terminationStatus == 0, "Chromium exited \(render.terminationStatus): \(said())")
            let png = try #require(try? Data(contentsOf: picture), "Chromium drew no picture: \(said())")
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            // Width and height from the IHDR chunk: the window asked for. A blank page compresses to a few KB.
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == 1100 && height == 2400)
            #expect(png.count > 60_000, "the picture is \(png.count) bytes: is the page blank?")
            if let keep = ProcessInfo.processInfo.environment["REPORT_PICTURE"] { try png.write(to: URL(fileURLWithPath: keep)) }
        }
    }
}
