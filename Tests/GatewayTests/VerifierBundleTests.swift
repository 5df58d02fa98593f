import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import NIOCore
import Testing
@testable import Gateway

/// `verifier export` and `verifier verify-bundle` on the known hospital history.
@Suite("signed audit bundles: exported from the database, checked offline")
struct VerifierBundleTests {
    /// A verifier key pair in the data set's directory: the private key file, and the public key file.
    static func exporterKeys(_ data: HospitalDataSet) throws -> (privateKey: String, publicKey: String) {
        let key = Ed25519SigningKey.generate()
        let privateKey = data.directory.appendingPathComponent("verifier.pem").path
        let publicKey = data.directory.appendingPathComponent("verifier.pub").path
        try PKCS8Ed25519.pem(for: key).write(toFile: privateKey, atomically: true, encoding: .utf8)
        try "\(Hex.encode(key.publicKey.bytes))\n".write(toFile: publicKey, atomically: true, encoding: .utf8)
        return (privateKey, publicKey)
    }

    static func verifyBundle(_ data: HospitalDataSet, _ bundle: String, signerKeys: String?) throws -> (status: Int32, report: [String: Any]) {
        var arguments = ["verify-bundle", bundle, "--trusted-keys", data.trustedKeysFile, "--format", "json"]
        if let signerKeys { arguments += ["--signer-keys", signerKeys] }
        let result = try Binaries.run("verifier", arguments, environment: ["PATH": "/usr/bin:/bin"])
        let report = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
        return (result.status, report)
    }

    @Test("one patient's bundle holds exactly their entries, verifies offline, and fails with any byte changed or an untrusted signer")
    func patientBundle() async throws {
        try await HospitalDataSet.with { data in
            let keys = try Self.exporterKeys(data)
            let bundle = data.directory.appendingPathComponent("chidi.zip").path
            let exported = try data.verifier("export", [
                "--trusted-keys", data.trustedKeysFile, "--witness", data.witnessFile, "--key", keys.privateKey, "--patient", data.ids.chidi,
                "--out", bundle,
            ])
            #expect(exported.status == 0, "\(exported.standardError)")
            #expect(exported.standardError.contains("exported 13 entries") && !exported.standardError.contains("left out"), "\(exported.standardError)")
            let mode = try FileManager.default.attributesOfItem(atPath: bundle)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)

            let checked = try Self.verifyBundle(data, bundle, signerKeys: keys.publicKey)
            #expect(checked.status == 0, "\(checked.report)")
            #expect(checked.report["entries"] as? Int == 13 && (checked.report["selection"] as? [String: String])?["patient"] == data.ids.chidi)
            #expect(checked.report["producer"] as? String == "verifier export")

            // Every entry is about Chidi, and its PHI is still sealed.
            let files = try BundleArchive.read(Array(try Data(contentsOf: URL(fileURLWithPath: bundle))))
            let entries = try #require(files["entries.jsonl"]).split(separator: 0x0A).map { try LedgerEntry(canonicalBytes: Array($0)) }
            #expect(entries.allSatisfy { BundleVerification.concerns($0, patient: data.ids.chidi) })
            #expect(!String(decoding: try #require(files["entries.jsonl"]), as: UTF8.self).contains("Okonkwo"))

            #expect(try Self.verifyBundle(data, bundle, signerKeys: nil).status == 1)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
            for index in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
                bytes[index] ^= 0x20
                let changed = data.directory.appendingPathComponent("changed.zip")
                try bytes.write(to: changed)
                #expect(try Self.verifyBundle(data, changed.path, signerKeys: keys.publicKey).status == 1, "byte \(index) changed unnoticed")
                bytes[index] ^= 0x20
            }
        }
    }

    @Test("nothing is exported from a tampered chain")
    func tamperedChain() async throws {
        try await HospitalDataSet.with { data in
            let keys = try Self.exporterKeys(data)
            try await data.tamper("UPDATE ledger_entries SET subject_id = NULL WHERE seq = 20")
            let bundle = data.directory.appendingPathComponent("refused.zip").path
            let exported = try data.verifier("export", [
                "--trusted-keys", data.trustedKeysFile, "--key", keys.privateKey, "--patient", data.ids.chidi, "--out", bundle,
            ])
            #expect(exported.status == 1 && exported.standardError.contains("seq 20"), "\(exported.standardError)")
            #expect(!FileManager.default.fileExists(atPath: bundle))
        }
    }
}

@Suite("POST /v1/audit/bundles: the same bundles from the gateway, for security reviewers")
struct GatewayBundleTests {
    @Test("a security reviewer's bundle of one patient verifies offline with the ledger key alone, and the export is recorded")
    func reviewerBundle() async throws {
        try await HospitalDataSet.with { data in
            let bundle = data.directory.appendingPathComponent("from-gateway.zip")
            let chidi = data.ids.chidi
            try await data.serve { client in
                let admin = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                let rita = try await client.enrolledUser(admin: admin, email: "rita@hospital.example", roles: ["security_reviewer"])
                let nia = try await client.accessToken(email: "nia@hospital.example", password: TestAccounts.password)
                #expect(try await client.call(.post, "/v1/audit/bundles", token: nia, json: ["patientId": chidi]).status == .forbidden)
                let backwards = try await client.call(
                    .post, "/v1/audit/bundles", token: rita.token, json: ["from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"])
                #expect(backwards.status == .badRequest && backwards["field"] as? String == "to")

                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(rita.token)"
                headers[.contentType] = "application/json"
                let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["patientId": chidi]))
                try await client.execute(uri: "/v1/audit/bundles", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/zip")
                    #expect(response.headers[HTTPField.Name("X-Bundle-Entries")!] == "13")
                    #expect(response.headers[.contentDisposition] == "attachment")
                    try Data(Array(buffer: response.body)).write(to: bundle)
                }
            }
            let checked = try VerifierBundleTests.verifyBundle(data, bundle.path, signerKeys: nil)
            #expect(checked.status == 0, "\(checked.report)")
            #expect(checked.report["entries"] as? Int == 13 && checked.report["producer"] as? String == "gateway")

            let exports = try await data.gateway.verifiedChain().filter { $0.entry.action == "audit.export" }
            #expect(exports.count == 1)
            #expect(exports.first?.payloadText("patientId") == chidi)
        }
    }
}
