import ArgumentParser

/// `gateway rotate-token-key`: a new access-token signing key, the old one still accepted.
struct RotateTokenKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-token-key",
        abstract: "Replace the access-token signing key; tokens signed with the old key keep working until they expire.",
        discussion: """
            Adds the public half of the key in TOKEN_SIGNING_KEY_FILE to TOKEN_ACCEPTED_KEYS_FILE (a JWK Set), then \
            writes a new private key in its place. Restart the gateway to sign with the new key. Once \
            ACCESS_TOKEN_TTL_SECONDS have passed, the old key may be removed from the accepted file. With several \
            gateways, copy the accepted file to all of them before restarting any.
            """)

    func run() throws {
        let settings = KeySettings(environment: .processEnvironment())
        guard settings.tokenKeyInline == nil else {
            throw ValidationError("TOKEN_SIGNING_KEY is given inline; rotate it where it is stored, not with this command.")
        }
        let outcome = try TokenKeyRotation.rotate(keyFile: settings.tokenKeyFile, acceptedFile: settings.tokenAcceptedKeysFile)
        print("retired access-token key \(outcome.retiredKeyID) (still accepted: \(settings.tokenAcceptedKeysFile))")
        print("new access-token key \(outcome.currentKeyID) in \(settings.tokenKeyFile); restart the gateway to use it")
    }
}
