import ArgumentParser
import Foundation
import Ledger
import Testing
@testable import Verifier

@Suite("verifier keygen and the trusted key file")
struct KeyFileTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verifier-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("keygen writes a 0600 PEM private key and a public key line that the trusted key file reads back")
    func keygenRoundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let privatePath = directory.appendingPathComponent("ledger.pem").path
        let publicPath = directory.appendingPathComponent("ledger.pub").path
        var command = try KeygenCommand.parse(["--private", privatePath, "--public", publicPath])
        try command.run()
        let mode = try FileManager.default.attributesOfItem(atPath: privatePath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let key = try PKCS8Ed25519.signingKey(fromPEM: try String(contentsOfFile: privatePath, encoding: .utf8))
        #expect(try TrustedKeyFile.load(publicPath) == [key.keyID: key.publicKey])
        // A second run refuses to overwrite either file.
        var again = try KeygenCommand.parse(["--private", privatePath, "--public", publicPath])
        #expect(throws: ValidationError.self) { try again.run() }
    }

    @Test("the trusted key file takes comments and blank lines, and names the line it cannot read")
    func trustedKeyFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Ed25519SigningKey.generate(), second = Ed25519SigningKey.generate()
        let path = directory.appendingPathComponent("trusted.pub").path
        try "# ledger keys\n\(Hex.encode(first.publicKey.bytes))  # 2026 key\n\n\(Hex.encode(second.publicKey.bytes))\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try TrustedKeyFile.load(path).keys.sorted() == [first.keyID, second.keyID].sorted())
        try "\(Hex.encode(first.publicKey.bytes))\nabc\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try TrustedKeyFile.load(path) } throws: { "\($0)".contains("trusted.pub:2") }
        try "# nothing\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try TrustedKeyFile.load(path) } throws: { "\($0)".contains("holds no key") }
    }
}
