import Foundation
import Ledger

/// What the session endpoints work with, built once per application.
struct SessionServices: Sendable {
    let signIn: SignIn
    let renewal: SessionRenewal
    let authenticator: Authenticator
    let revocation: SessionRevocation
    let passwordChange: PasswordChange
    let accounts: AccountDirectory
    let liveSessions: LiveSessions
    let clock: @Sendable () -> Date
    /// The keys access tokens may be signed with, by `kid`, as published at `/.well-known/jwks.json`.
    let publishedKeys: [String: Ed25519PublicKey]
}
