import Crypto
import Foundation
import Testing
import WebAuthn

@Suite("Client data: ceremony type, challenge, origin and framing")
struct ClientDataTests {
    static let challenge: [UInt8] = Array(0..<32)
    static let relyingParty = RelyingParty(id: "hospital.example", origins: ["https://console.hospital.example"])

    static func json(_ members: [String: Any]) -> [UInt8] {
        var object: [String: Any] = [
            "type": "webauthn.create", "challenge": Base64URL.encode(challenge), "origin": "https://console.hospital.example",
        ]
        for (key, value) in members { object[key] = value }
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    static func verify(_ json: [UInt8], type: String = "webauthn.create", relyingParty: RelyingParty = relyingParty)
        throws(WebAuthnError) -> CollectedClientData {
        try ClientDataCheck.verify(json, type: type, challenge: challenge, relyingParty: relyingParty).clientData
    }

    @Test("good client data passes, its hash is the SHA-256 of the exact bytes, and unknown members are ignored")
    func accepts() throws {
        let json = Self.json(["someFutureMember": ["x": 1]])
        let (clientData, hash) = try ClientDataCheck.verify(json, type: "webauthn.create", challenge: Self.challenge, relyingParty: Self.relyingParty)
        #expect(clientData.origin == "https://console.hospital.example" && !clientData.crossOrigin && clientData.topOrigin == nil)
        #expect(hash == Array(SHA256.hash(data: json)))
    }

    @Test("each check refuses with its own reason")
    func refuses() {
        #expect(throws: WebAuthnError.wrongCeremonyType(expected: "webauthn.get", found: "webauthn.create")) {
            try Self.verify(Self.json([:]), type: "webauthn.get")
        }
        #expect(throws: WebAuthnError.challengeMismatch) {
            try Self.verify(Self.json(["challenge": Base64URL.encode(Array(1...32))]))
        }
        #expect(throws: WebAuthnError.challengeMismatch) {
            try Self.verify(Self.json(["challenge": Base64URL.encode(Array(0..<31))]))
        }
        #expect(throws: WebAuthnError.originNotAllowed("https://evil.example")) {
            try Self.verify(Self.json(["origin": "https://evil.example"]))
        }
        #expect(throws: WebAuthnError.originNotAllowed("https://console.hospital.example:443")) {
            try Self.verify(Self.json(["origin": "https://console.hospital.example:443"]))
        }
        #expect(throws: WebAuthnError.crossOriginNotAllowed) { try Self.verify(Self.json(["crossOrigin": true])) }
        #expect(throws: WebAuthnError.topOriginNotAllowed("https://framer.example")) {
            try Self.verify(Self.json(["topOrigin": "https://framer.example"]))
        }
    }

    @Test("framed ceremonies pass only where the relying party allows them, from the top origins it names")
    func framing() throws {
        let framing = RelyingParty(
            id: "hospital.example", origins: ["https://console.hospital.example"], allowsCrossOrigin: true,
            topOrigins: ["https://portal.hospital.example"])
        #expect(try Self.verify(Self.json(["crossOrigin": true, "topOrigin": "https://portal.hospital.example"]), relyingParty: framing).crossOrigin)
        #expect(throws: WebAuthnError.topOriginNotAllowed("https://framer.example")) {
            try Self.verify(Self.json(["crossOrigin": true, "topOrigin": "https://framer.example"]), relyingParty: framing)
        }
    }

    @Test("malformed client data is refused before any check", arguments: [
        Array("not json".utf8), Array("[]".utf8), Array(#"{"type":"webauthn.create"}"#.utf8),
        Array(#"{"type":"webauthn.create","challenge":"AAEC","origin":"https://console.hospital.example","crossOrigin":1}"#.utf8),
        Array(#"{"type":"webauthn.create","challenge":"AA==","origin":"https://console.hospital.example"}"#.utf8),
        Array(#"{"type":7,"challenge":"AAEC","origin":"https://console.hospital.example"}"#.utf8),
        [UInt8](repeating: 0x20, count: 5000),
    ])
    func malformed(_ json: [UInt8]) {
        #expect {
            try Self.verify(json)
        } throws: { error in
            if case WebAuthnError.clientData = error { return true }
            return false
        }
    }
}
