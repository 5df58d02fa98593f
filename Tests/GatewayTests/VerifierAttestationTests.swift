import Foundation
import Ledger
import Testing
@testable import Gateway

@Suite("verifier attest, and verify --since an attestation")
struct VerifierAttestationTests {
    /// Makes a verifier key pair with `verifier keygen`, and attests the fixture's chain with it.
    static func attest(_ fixture: TamperFixture, since: String? = nil, name: String) throws -> (status: Int32, file: String, stderr: String) {
        let key = fixture.directory.appendingPathComponent("verifier.pem").path
        if !FileManager.default.fileExists(atPath: key) {
            let made = try Binaries.run(
                "verifier", ["keygen", "--private", key, "--public", fixture.directory.appendingPathComponent("verifier.pub").path],
                environment: [:])
            #expect(made.status == 0, "\(made.standardError)")
        }
        let file = fixture.directory.appendingPathComponent(name).path
        var extra = ["--key", key, "--out", file]
        if let since { extra += ["--since", since, "--verifier-keys", fixture.directory.appendingPathComponent("verifier.pub").path] }
        let outcome = try fixture.run(command: "attest", extra: extra, json: false)
        return (outcome.status, file, outcome.standardError)
    }

    func since(_ fixture: TamperFixture, _ attestation: String) throws -> TamperFixture.Outcome {
        try fixture.verify(extra: ["--since", attestation, "--verifier-keys", fixture.directory.appendingPathComponent("verifier.pub").path])
    }

    @Test("an attestation of an intact chain lets a later run read only what was added, and chains onto the next")
    func attestThenSince() async throws {
        try await TamperFixture.with { fixture in
            let first = try Self.attest(fixture, name: "first.json")
            #expect(first.status == 0, "\(first.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: first.file))) as? [String: Any])
            let statement = try #require(document["statement"] as? [String: Any])
            #expect((statement["treeSize"] as? NSNumber)?.intValue == TamperFixture.entries + 1 && statement["chain"] as? String == "main")

            // The gateway writes on: ten more entries and a checkpoint.
            var settings = WriterHarness.settings(checkpointEvery: 10)
            settings.witnessFile = fixture.witnessFile
            try await fixture.write(settings: settings, count: 10, payload: { n in ["n": .number(Double(100 + n))] })
            let outcome = try since(fixture, first.file)
            #expect(outcome.status == 0, "\(outcome.findings) \(outcome.standardError)")
            #expect((outcome.report["entries"] as? NSNumber)?.intValue == 10)
            #expect((outcome.report["treeSize"] as? NSNumber)?.intValue == TamperFixture.entries + 11)

            let second = try Self.attest(fixture, since: first.file, name: "second.json")
            #expect(second.status == 0, "\(second.stderr)")
            #expect((try since(fixture, second.file).report["entries"] as? NSNumber)?.intValue == 0)
        }
    }

    @Test("a chain rewritten below the attestation is caught without reading the old entries")
    func rewrittenBelowAttestation() async throws {
        try await TamperFixture.with { fixture in
            let attested = try Self.attest(fixture, name: "attested.json")
            #expect(attested.status == 0)
            try await fixture.tamper(
                #"UPDATE ledger_entries SET canonical = convert_to(regexp_replace(convert_from(canonical, 'UTF8'), '"n":[0-9]+', '"n":7'), 'UTF8') WHERE seq = 46"#,
                #"UPDATE ledger_entries SET entry_hash = sha256('PHI-LEDGER-ENTRY-V1'::bytea || '\x00'::bytea || canonical) WHERE seq = 46"#)
            let outcome = try since(fixture, attested.file)
            #expect(outcome.status == 1 && outcome.finds(seq: 46, check: "attestation"), "\(outcome.findings)")
        }
    }

    @Test("an attestation that was edited, or whose signer is not trusted, is refused (exit 2); tampering writes none")
    func refusedAttestations() async throws {
        try await TamperFixture.with { fixture in
            let attested = try Self.attest(fixture, name: "attested.json")
            var text = try String(contentsOfFile: attested.file, encoding: .utf8)
            text = text.replacingOccurrences(of: "\"treeSize\":46", with: "\"treeSize\":45")
            let edited = fixture.directory.appendingPathComponent("edited.json").path
            try text.write(toFile: edited, atomically: true, encoding: .utf8)
            let outcome = try since(fixture, edited)
            #expect(outcome.status == 2 && outcome.standardError.contains("does not verify"), "\(outcome.standardError)")
            let noKeys = try fixture.verify(extra: ["--since", attested.file])
            #expect(noKeys.status == 2 && noKeys.standardError.contains("--verifier-keys"))

            try await fixture.tamper("DELETE FROM ledger_entries WHERE seq = 30")
            let refused = try Self.attest(fixture, name: "after-tampering.json")
            #expect(refused.status == 1 && !FileManager.default.fileExists(atPath: refused.file))
        }
    }
}
