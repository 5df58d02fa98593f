import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Synchronization
import Testing
import WebAuthn
@testable import Gateway

@Suite("Access-token key rotation")
struct TokenKeyRotationTests {
    @Test("an accepted-keys file is a strict JWK Set whose kids are the keys' own ids")
    func parsing() throws {
        let key = Ed25519SigningKey.generate().publicKey
        let rendered = AcceptedTokenKeys.render([key.keyID: key])
        #expect(try AcceptedTokenKeys.parse(Data(rendered.utf8)) == [key.keyID: key])
        let x = Base64URL.encode(key.bytes)
        let refused = [
            #"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"not-its-id","x":"\#(x)"}]}"#,
            #"{"keys":[{"kty":"EC","crv":"P-256","kid":"\#(key.keyID)","x":"\#(x)"}]}"#,
            #"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"\#(key.keyID)","x":"AAAA"}]}"#,
            #"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"\#(key.keyID)","x":"\#(x)","use":"enc"}]}"#,
            #"[]"#,
        ]
        for text in refused {
            #expect(throws: AcceptedTokenKeys.Invalid.self) { try AcceptedTokenKeys.parse(Data(text.utf8)) }
        }
    }

    @Test("after rotation, tokens signed with the old key keep working while it is accepted, and new ones use the new key")
    func rotation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-rotation-\(UUID().text)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keyFile = directory + "/token-signing.pem"
        let acceptedFile = directory + "/token-accepted.jwks.json"
        _ = try KeyFileWriter.createIfMissing(keyFile) { PKCS8Ed25519.pem(for: .generate()) }
        let signingKey = Ed25519SigningKey.generate()
        let ledgerKeys = TestAccounts.configure(signingKey)
        let configure: @Sendable (inout GatewayConfiguration) -> Void = { configuration in
            ledgerKeys(&configuration)
            configuration.keys.tokenKeyInline = nil
            configuration.keys.tokenKeyFile = keyFile
            configuration.keys.tokenAcceptedKeysFile = acceptedFile
        }
        let oldToken = Mutex("")
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestAccounts.enrolledAdmin(database, signingKey: signingKey)
            try await TestGateway.withApp(database: database, configure: configure) { client in
                let token = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                oldToken.withLock { $0 = token }
            }
            let outcome = try TokenKeyRotation.rotate(keyFile: keyFile, acceptedFile: acceptedFile)
            #expect(outcome.retiredKeyID != outcome.currentKeyID)
            let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            try await TestGateway.withApp(database: database, configure: configure) { client in
                #expect(try await client.call(.get, "/v1/auth/me", token: oldToken.withLock { $0 }).status == .ok)
                let kids = (try await client.call(.get, "/.well-known/jwks.json")["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String }
                #expect(Set(kids ?? []) == [outcome.retiredKeyID, outcome.currentKeyID])
                let newToken = try await client.accessToken(email: TestAccounts.adminEmail, password: TestAccounts.password)
                let header = try #require(Base64URL.decode(newToken.split(separator: ".")[0]))
                #expect(String(decoding: header, as: UTF8.self).contains(outcome.currentKeyID))
            }
            // Once the retired key is dropped from the accepted file, its tokens stop working.
            try FileManager.default.removeItem(atPath: acceptedFile)
            try await TestGateway.withApp(database: database, configure: configure) { (client: any TestClientProtocol) async throws in
                #expect(try await client.call(.get, "/v1/auth/me", token: oldToken.withLock { $0 }).status == .unauthorized)
            }
        }
    }
}
