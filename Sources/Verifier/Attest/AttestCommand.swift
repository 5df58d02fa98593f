import ArgumentParser
import Foundation
import Ledger

/// `verifier attest`: verifies, and when the chain is intact, signs a statement saying so.
struct AttestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Verify the ledger and, if it is intact, write a signed attestation of it.",
        discussion: """
            Runs the same checks as `verifier verify` (with --since, only what was added after an earlier attestation), \
            then signs a statement of the chain, tree size, Merkle root, head hash, time, the checks performed and the \
            keys trusted, with the verifier's own key (docs/attestation-format.md). A later `verifier verify --since` \
            starts from it. Nothing is written when tampering is found (exit 1).

            Example:
              verifier keygen --private verifier.pem --public verifier.pub
              verifier attest -d "dbname=ledger user=auditor" --trusted-keys ledger.pub --witness main.jsonl \\
                --key verifier.pem --out attestation-2026-11-22.json
            """)

    @OptionGroup var options: VerificationOptions

    @Option(help: ArgumentHelp("The verifier's private key (PKCS#8 PEM) to sign with.", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("Where to write the attestation (default: standard output).", valueName: "file"))
    var out: String?

    func run() throws {
        let signingKey: Ed25519SigningKey
        let report: ChainVerification.Report
        do {
            guard let text = try? String(contentsOfFile: key, encoding: .utf8), let loaded = try? PKCS8Ed25519.signingKey(fromPEM: text) else {
                throw ValidationError("\(key) is not an Ed25519 private key in PKCS#8 PEM form")
            }
            signingKey = loaded
            report = try options.run()
        } catch {
            FileHandle.standardError.write(Data("verifier: could not attest: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard report.intact else {
            for finding in report.findings { FileHandle.standardError.write(Data("\(finding.line)\n".utf8)) }
            FileHandle.standardError.write(Data("verifier: tampering found; no attestation written\n".utf8))
            throw ExitCode(1)
        }
        let attestation = Attestation(
            chain: report.chain, treeSize: report.treeSize, rootHash: report.rootHash, headHash: report.headHash,
            frontier: report.frontier, trustedKeys: report.trustedKeys, checks: report.checks, time: .now(),
            verifierKeyID: signingKey.keyID)
        let document = try attestation.signed(with: signingKey) + [UInt8(ascii: "\n")]
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(document)) else {
                FileHandle.standardError.write(Data("verifier: cannot write \(out)\n".utf8))
                throw ExitCode(2)
            }
            print("attested chain \(report.chain) at tree size \(attestation.treeSize), head \(Hex.encode(attestation.headHash).prefix(16))…")
        } else {
            FileHandle.standardOutput.write(Data(document))
        }
    }
}
