import Foundation
import Ledger

/// Replaces the access-token signing key: the old key's public half joins the accepted keys, so tokens it signed
/// keep working until they expire, and a new private key takes its place. The accepted set is written first: a
/// crash in between leaves the old key current and also accepted, which is harmless.
enum TokenKeyRotation {
    struct Outcome: Equatable {
        let retiredKeyID: String
        let currentKeyID: String
    }

    static func rotate(keyFile: String, acceptedFile: String) throws -> Outcome {
        let retired = try KeyLoader.tokenSigningKey(KeySettings(signingKeyFile: "", kekFile: "", tokenKeyFile: keyFile))
        var accepted = try AcceptedTokenKeys.load(path: acceptedFile)
        accepted[retired.keyID] = retired.publicKey
        try replace(acceptedFile, with: AcceptedTokenKeys.render(accepted), mode: 0o644)

        let next = Ed25519SigningKey.generate()
        try replace(keyFile, with: PKCS8Ed25519.pem(for: next), mode: 0o600)
        return Outcome(retiredKeyID: retired.keyID, currentKeyID: next.keyID)
    }

    /// Writes a sibling file with `mode` from its first byte and renames it over `path`, so readers see the old
    /// file or the new one, never a part.
    private static func replace(_ path: String, with text: String, mode: mode_t) throws {
        let temporary = path + ".new"
        unlink(temporary)
        _ = try KeyFileWriter.createIfMissing(temporary, mode: mode) { text }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
