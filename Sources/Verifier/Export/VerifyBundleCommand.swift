import ArgumentParser
import Foundation
import Ledger

/// `verifier verify-bundle`: checks an audit bundle offline, with nothing but trusted keys.
struct VerifyBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Check an audit bundle offline: no database, only the keys you trust.",
        discussion: """
            Checks that the archive is in the bundle's canonical form, that every file matches the manifest's SHA-256, \
            that the manifest is signed by a trusted key (the gateway's ledger key, or a verifier key given with \
            --signer-keys), that the checkpoint is signed by a trusted ledger key, and, for every entry, its hash, its \
            canonical form, its signature, its inclusion proof to the checkpoint's root, and that it lies within the \
            window and patient the manifest states. Any byte changed anywhere in the bundle fails.

            Exit status: 0 intact, 1 something does not verify (each finding names the file, line and seq), 2 could \
            not run.

            Example:
              verifier verify-bundle patient-2026.zip --trusted-keys ledger.pub --signer-keys verifier.pub
            """)

    @Argument(help: ArgumentHelp("The bundle (ZIP).", valueName: "bundle"))
    var bundle: String

    @Option(help: ArgumentHelp("File of trusted ledger public keys, one hex key per line.", valueName: "file"))
    var trustedKeys: String

    @Option(help: ArgumentHelp("File of trusted exporter (verifier) public keys, for bundles made by `verifier export`.", valueName: "file"))
    var signerKeys: String?

    @Option(help: "text or json.")
    var format: VerifyCommand.OutputFormat = .text

    /// What `--format json` prints.
    struct Document: Encodable {
        let chain: String?
        let producer: String?
        let createdAt: String?
        let selection: [String: String]
        let treeSize: Int64?
        let entries: Int
        let signerKeyId: String?
        let findings: [String]
        let intact: Bool
    }

    func run() throws {
        let report: BundleVerification.Report
        do {
            let ledgerKeys = try TrustedKeyFile.load(trustedKeys)
            let signers = try signerKeys.map(TrustedKeyFile.load) ?? [:]
            guard let handle = FileHandle(forReadingAtPath: bundle) else { throw ValidationError("cannot read \(bundle)") }
            defer { try? handle.close() }
            // Read one byte past the limit, to refuse an oversized file without reading all of it.
            let bytes = try handle.read(upToCount: BundleArchive.maximumBytes + 1) ?? Data()
            report = BundleVerification.verify(Array(bytes), ledgerKeys: ledgerKeys, signerKeys: signers)
        } catch {
            FileHandle.standardError.write(Data("verifier: could not verify the bundle: \(error)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = Document(
                chain: report.chain, producer: report.producer, createdAt: report.createdAt, selection: report.selection,
                treeSize: report.treeSize, entries: report.entries, signerKeyId: report.signerKeyID, findings: report.findings,
                intact: report.intact)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
        case .text:
            for finding in report.findings { print(finding) }
            let scope = report.selection.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let summary = "bundle of chain \(report.chain ?? "?"): \(report.entries) entries"
                + (scope.isEmpty ? "" : " (\(scope))") + ", proven to tree size \(report.treeSize ?? 0)"
            print(report.intact ? "\(summary): intact" : "\(summary): DOES NOT VERIFY (\(report.findings.count) findings)")
        }
        if !report.intact { throw ExitCode(1) }
    }
}
