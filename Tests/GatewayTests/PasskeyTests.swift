import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import PostgresNIO
import Testing
import WebAuthn
import WebAuthnTestSupport
@testable import Gateway

@Suite("Passkeys through the running gateway: registration, sign-in, step-up, removal, and their ledger entries")
struct PasskeyTests {
    /// The claims of an access token, read without checking it (the gateway checked it).
    static func claims(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        let payload = try #require(Base64URL.decode(parts[1]))
        return try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    @Test("a passkey is added, listed, excluded from the next registration, and signs in discoverably and with an email")
    func registerAndSignIn() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let nia = try await client.enrolledUser(admin: adminToken, email: "nia@hospital.example", roles: ["nurse"])
                let phone = PasskeyTestSite.authenticator()

                let options = try await client.call(.post, "/v1/webauthn/register/options", token: nia.token)
                #expect(options.status == .ok)
                #expect((options["rp"] as? [String: Any])?["id"] as? String == PasskeyTestSite.relyingPartyID)
                let user = try #require(options["user"] as? [String: Any])
                #expect(user["id"] as? String == Base64URL.encode(UserHandle.bytes(of: UUID(uuidString: nia.id)!)))
                #expect(user["name"] as? String == "nia@hospital.example")
                // A nurse touches PHI: the policy holds her to user verification.
                #expect((options["authenticatorSelection"] as? [String: Any])?["userVerification"] as? String == "required")
                #expect((options["excludeCredentials"] as? [Any])?.isEmpty == true)

                let added = try await client.registerPasskey(phone, token: nia.token, name: "  ward phone ")
                #expect(added.status == .created)
                #expect(added["id"] as? String == phone.credentialID && added["name"] as? String == "ward phone")
                #expect(added["attestationFormat"] as? String == "none" && added["userVerified"] as? Bool == true)

                let listed = try await client.call(.get, "/v1/webauthn/credentials", token: nia.token)
                #expect((listed["passkeys"] as? [[String: Any]])?.map { $0["id"] as? String } == [phone.credentialID])
                let again = try await client.call(.post, "/v1/webauthn/register/options", token: nia.token)
                #expect((again["excludeCredentials"] as? [[String: Any]])?.map { $0["id"] as? String } == [phone.credentialID])
                // Registering the same authenticator twice is refused.
                #expect(try await client.registerPasskey(phone, token: nia.token).status == .conflict)

                let discoverable = try await client.passkeySignIn(phone, userID: nia.id, signCount: 1)
                #expect(discoverable.status == .ok)
                let claims = try Self.claims(try #require(discoverable["accessToken"] as? String))
                #expect(claims["amr"] as? [String] == ["hwk", "mfa"])

                let withEmail = try await client.call(.post, "/v1/webauthn/login/options", json: ["email": "NIA@hospital.example"])
                #expect((withEmail["allowCredentials"] as? [[String: Any]])?.map { $0["id"] as? String } == [phone.credentialID])
                #expect(try await client.passkeySignIn(phone, userID: nia.id, signCount: 2, email: "nia@hospital.example").status == .ok)

                let used = try await client.call(.get, "/v1/webauthn/credentials", token: nia.token)
                #expect((used["passkeys"] as? [[String: Any]])?.first?["lastUsedAt"] != nil)
            }
            let chain = try await gateway.verifiedChain()
            let registered = try #require(chain.last { $0.entry.action == "passkey.register" && $0.entry.outcome == .success })
            #expect(registered.entry.resource?.type == "passkey")
            #expect(registered.payloadText("format") == "none")
            let passkeyLogins = chain.filter { $0.entry.action == "auth.login" && $0.payloadText("method") == "passkey" }
            #expect(passkeyLogins.map(\.entry.outcome) == [.success, .success])
            #expect(passkeyLogins.allSatisfy { $0.entry.actor?.authMethods == ["hwk", "mfa"] })
            // The refused second registration left its failure entry.
            #expect(chain.contains { $0.entry.action == "passkey.register" && $0.entry.outcome == .failure })
            try await gateway.database.withClient(gateway.database.ownerURL) { client in
                let rows = try await client.query(
                    "SELECT c.ledger_seq, c.sign_count FROM webauthn_credentials c", logger: TestPostgres.logger)
                for try await (seq, count) in rows.decode((Int64, Int64).self) {
                    #expect(seq == registered.entry.seq && count == 2)
                }
            }
        }
    }

    @Test("an unknown email gets options of the same shape as a known one, the same each time")
    func unknownEmailOptions() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, _ in
                let first = try await client.call(.post, "/v1/webauthn/login/options", json: ["email": "nobody@hospital.example"])
                let second = try await client.call(.post, "/v1/webauthn/login/options", json: ["email": "nobody@hospital.example"])
                let ids = [first, second].map { ($0["allowCredentials"] as? [[String: Any]])?.compactMap { $0["id"] as? String } }
                #expect(first.status == .ok && ids[0]?.count == 1 && ids[0] == ids[1])
                #expect(first["challenge"] as? String != second["challenge"] as? String)
                let none = try await client.call(.post, "/v1/webauthn/login/options", json: [:])
                #expect((none["allowCredentials"] as? [Any])?.isEmpty == true && none["userVerification"] as? String == "preferred")
            }
        }
    }

    @Test("challenges are single-use, bound to their ceremony and session, and expire")
    func challenges() async throws {
        let clock = TestClock()
        try await AdministeredGateway.with { gateway in
            try await gateway.serve(clock: clock.now) { client, adminToken in
                let kai = try await client.enrolledUser(admin: adminToken, email: "kai@hospital.example", roles: ["clinician"])
                let key = PasskeyTestSite.authenticator()
                let options = try await client.call(.post, "/v1/webauthn/register/options", token: kai.token)
                let challenge = try #require(options["challenge"] as? String)
                let credential = key.registration(challenge: challenge)

                // Another session of the same person cannot finish this session's ceremony.
                let otherSession = try await client.accessToken(email: "kai@hospital.example", password: TestAccounts.password)
                let stolen = try await client.call(.post, "/v1/webauthn/register/verify", token: otherSession, json: ["credential": credential])
                #expect(stolen.status == .badRequest && stolen["field"] as? String == "credential")
                // ...and the attempt used the challenge up.
                let reused = try await client.call(.post, "/v1/webauthn/register/verify", token: kai.token, json: ["credential": credential])
                #expect(reused.status == .badRequest)

                // A registration challenge does not sign anyone in.
                let fresh = try #require(try await client.call(.post, "/v1/webauthn/register/options", token: kai.token)["challenge"] as? String)
                let crossed = key.assertion(challenge: fresh, signCount: 1, userHandle: nil)
                #expect(try await client.call(.post, "/v1/webauthn/login/verify", json: ["credential": crossed]).status == .unauthorized)

                // A sign-in answered five minutes and a second after its options is too late.
                #expect(try await client.registerPasskey(key, token: kai.token).status == .created)
                let late = try #require(try await client.call(.post, "/v1/webauthn/login/options", json: [:])["challenge"] as? String)
                clock.advance(by: 301)
                let expired = try await client.call(.post, "/v1/webauthn/login/verify", json: ["credential": key.assertion(
                    challenge: late, signCount: 1, userHandle: UserHandle.bytes(of: UUID(uuidString: kai.id)!))])
                #expect(expired.status == .unauthorized && (expired["detail"] as? String)?.contains("too long") == true)
            }
            let failures = try await gateway.verifiedChain().filter { $0.entry.outcome == .failure }
            #expect(failures.filter { $0.entry.action == "passkey.register" }.count >= 2)
            #expect(failures.contains { $0.entry.action == "auth.login" && $0.payloadText("method") == "passkey" })
        }
    }

    @Test("wrong origin, wrong RP ID, a bad signature and missing user verification are refused with what failed")
    func refusals() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let kai = try await client.enrolledUser(admin: adminToken, email: "kai@hospital.example", roles: ["clinician"])
                let key = PasskeyTestSite.authenticator()

                func register(_ make: (String) -> [String: Any]) async throws -> APIAnswer {
                    let options = try await client.call(.post, "/v1/webauthn/register/options", token: kai.token)
                    let challenge = try #require(options["challenge"] as? String)
                    return try await client.call(.post, "/v1/webauthn/register/verify", token: kai.token, json: ["credential": make(challenge)])
                }
                let wrongOrigin = try await register { key.registration(challenge: $0, origin: "https://evil.example") }
                #expect(wrongOrigin.status == .badRequest && (wrongOrigin["detail"] as? String)?.contains("origin") == true)
                let wrongRP = try await register { key.registration(challenge: $0, rpID: "evil.example") }
                #expect(wrongRP.status == .badRequest && (wrongRP["detail"] as? String)?.contains("relying party") == true)
                // A clinician's authenticator must verify the person, not just be touched.
                let presenceOnly = try await register { key.registration(challenge: $0, flags: [.userPresent]) }
                #expect(presenceOnly.status == .badRequest && (presenceOnly["detail"] as? String)?.contains("not verified") == true)
                #expect(try await client.registerPasskey(key, token: kai.token).status == .created)

                let forged = try await client.call(.post, "/v1/webauthn/login/options", json: [:])
                let badSignature = key.assertion(
                    challenge: try #require(forged["challenge"] as? String), signCount: 1,
                    userHandle: UserHandle.bytes(of: UUID(uuidString: kai.id)!), signWith: SoftwareCredential())
                let refused = try await client.call(.post, "/v1/webauthn/login/verify", json: ["credential": badSignature])
                #expect(refused.status == .unauthorized && (refused["detail"] as? String)?.contains("signature") == true)
                let noUV = try await client.passkeySignIn(key, userID: kai.id, signCount: 1, flags: [.userPresent])
                #expect(noUV.status == .unauthorized && (noUV["detail"] as? String)?.contains("verify you") == true)
            }
        }
    }

    @Test("an administrator may sign in with a security key that proves presence only")
    func presenceOnlyWhereAllowed() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let options = try await client.call(.post, "/v1/webauthn/register/options", token: adminToken)
                #expect((options["authenticatorSelection"] as? [String: Any])?["userVerification"] as? String == "preferred")
                let key = PasskeyTestSite.authenticator()
                #expect(try await client.registerPasskey(key, token: adminToken, flags: [.userPresent]).status == .created)
                let me = try await client.call(.get, "/v1/auth/me", token: adminToken)
                let adminID = try #require((me["account"] as? [String: Any])?["id"] as? String)
                let signedIn = try await client.passkeySignIn(key, userID: adminID, signCount: 1, flags: [.userPresent])
                #expect(signedIn.status == .ok)
                #expect(try Self.claims(try #require(signedIn["accessToken"] as? String))["amr"] as? [String] == ["hwk", "user"])
            }
        }
    }

    @Test("a signature counter that goes backwards refuses the sign-in and raises an alert entry")
    func signCountRegression() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let kai = try await client.enrolledUser(admin: adminToken, email: "kai@hospital.example", roles: ["clinician"])
                let key = PasskeyTestSite.authenticator()
                #expect(try await client.registerPasskey(key, token: kai.token).status == .created)
                #expect(try await client.passkeySignIn(key, userID: kai.id, signCount: 5).status == .ok)
                let cloned = try await client.passkeySignIn(key, userID: kai.id, signCount: 5)
                #expect(cloned.status == .unauthorized && (cloned["detail"] as? String)?.contains("counter") == true)
                #expect(try await client.passkeySignIn(key, userID: kai.id, signCount: 6).status == .ok)
            }
            let chain = try await gateway.verifiedChain()
            let alert = try #require(chain.first { $0.entry.action == "passkey.sign_count_regression" })
            #expect(alert.entry.outcome == .failure && alert.entry.resource?.type == "passkey")
            guard case .clear(.object(let fields)) = alert.entry.payload else { Issue.record("no clear payload"); return }
            #expect(fields["storedCount"] == .number(5) && fields["receivedCount"] == .number(5))
            let next = try #require(chain.first { $0.entry.seq == alert.entry.seq + 1 })
            #expect(next.entry.action == "auth.login" && next.entry.outcome == .failure)
        }
    }

    @Test("a step-up raises auth_time and amr, and lets a compliance officer shred")
    func stepUp() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let cora = try await client.enrolledUser(admin: adminToken, email: "cora@hospital.example", roles: ["compliance_officer"])
                let nobody = "/v1/patients/\(UUID().uuidString)/shred"
                let reason: [String: Any] = ["reason": "Erasure request ER-7 approved by the DPO."]
                // Without a step-up the policy refuses (403, whether or not the patient exists).
                #expect(try await client.call(.post, nobody, token: cora.token, json: reason).status == .forbidden)
                #expect(try await client.call(.post, "/v1/webauthn/step-up/options", token: cora.token).status == .conflict)

                let key = PasskeyTestSite.authenticator()
                #expect(try await client.registerPasskey(key, token: cora.token).status == .created)
                let before = try Self.claims(cora.token)
                try await Task.sleep(for: .seconds(1.1))
                let stepped = try await client.stepUp(key, token: cora.token, signCount: 1)
                #expect(stepped.status == .ok && stepped["steppedUpAt"] as? String != nil)
                let token = try #require(stepped["accessToken"] as? String)
                let after = try Self.claims(token)
                #expect((after["auth_time"] as? Int ?? 0) > (before["auth_time"] as? Int ?? .max))
                #expect(after["amr"] as? [String] == ["hwk", "mfa", "pwd"] && after["sid"] as? String == before["sid"] as? String)
                // Now allowed: the patient does not exist, so the answer is 404 rather than 403.
                #expect(try await client.call(.post, nobody, token: token, json: reason).status == .notFound)
                let me = try await client.call(.get, "/v1/auth/me", token: token)
                #expect((me["session"] as? [String: Any])?["authMethods"] as? [String] == ["hwk", "mfa", "pwd"])

                // Another session's step-up challenge does not step this one up.
                let other = try await client.accessToken(email: "cora@hospital.example", password: TestAccounts.password)
                let options = try await client.call(.post, "/v1/webauthn/step-up/options", token: other)
                let assertion = key.assertion(challenge: try #require(options["challenge"] as? String), signCount: 2, userHandle: nil)
                #expect(try await client.call(.post, "/v1/webauthn/step-up/verify", token: token, json: ["credential": assertion]).status == .forbidden)
            }
            let chain = try await gateway.verifiedChain()
            #expect(chain.filter { $0.entry.action == "auth.step_up" }.map(\.entry.outcome) == [.success, .failure])
        }
    }

    @Test("a removed passkey is gone from the list and signs nobody in")
    func removal() async throws {
        try await AdministeredGateway.with { gateway in
            try await gateway.serve { client, adminToken in
                let nia = try await client.enrolledUser(admin: adminToken, email: "nia@hospital.example", roles: ["nurse"])
                let kai = try await client.enrolledUser(admin: adminToken, email: "kai@hospital.example", roles: ["clinician"])
                let key = PasskeyTestSite.authenticator()
                #expect(try await client.registerPasskey(key, token: nia.token).status == .created)
                // Nobody else can remove it, and the answer does not say it exists.
                #expect(try await client.call(.delete, "/v1/webauthn/credentials/\(key.credentialID)", token: kai.token).status == .notFound)
                #expect(try await client.call(.delete, "/v1/webauthn/credentials/\(key.credentialID)", token: nia.token).status == .noContent)
                #expect(try await client.call(.delete, "/v1/webauthn/credentials/\(key.credentialID)", token: nia.token).status == .notFound)
                #expect((try await client.call(.get, "/v1/webauthn/credentials", token: nia.token)["passkeys"] as? [Any])?.isEmpty == true)
                let refused = try await client.passkeySignIn(key, userID: nia.id, signCount: 1)
                #expect(refused.status == .unauthorized && (refused["detail"] as? String)?.contains("not registered") == true)
            }
            let removals = try await gateway.verifiedChain().filter { $0.entry.action == "passkey.remove" }
            #expect(removals.count == 1 && removals.first?.entry.outcome == .success)
        }
    }
}
