import Foundation
import Testing
@testable import Ledger

@Suite("Ed25519 keys and the key-encryption key")
struct KeyMaterialTests {
    /// RFC 8410 §10.3: an Ed25519 private key in PKCS#8 PEM form and its public key.
    static let rfc8410PEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
        -----END PRIVATE KEY-----
        """
    static let rfc8410PublicKey = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"

    @Test("the RFC 8410 PEM example yields its published public key")
    func rfc8410Vector() throws {
        let key = try PKCS8Ed25519.signingKey(fromPEM: Self.rfc8410PEM)
        #expect(Hex.encode(key.publicKey.bytes) == Self.rfc8410PublicKey)
    }

    @Test("PEM export and import round-trip to the same key")
    func pemRoundTrip() throws {
        let key = Ed25519SigningKey.generate()
        let again = try PKCS8Ed25519.signingKey(fromPEM: PKCS8Ed25519.pem(for: key))
        #expect(again.publicKey == key.publicKey)
        #expect(key.keyID.count == 64)
    }

    @Test("malformed and non-Ed25519 PEM documents are rejected", arguments: [
        "",
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----",
        // An RSA-looking body: right framing, wrong algorithm identifier.
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VxBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----",
    ])
    func rejectsBadPEM(text: String) {
        #expect(throws: KeyMaterialError.self) { try PKCS8Ed25519.signingKey(fromPEM: text) }
    }

    @Test("a signature fails for another message, another key, or a flipped bit")
    func signatureFailsClosed() {
        let key = Ed25519SigningKey.generate()
        let message = Array("entry".utf8)
        var signature = key.sign(message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: Array("entrx".utf8)))
        #expect(!Ed25519SigningKey.generate().publicKey.isValidSignature(signature, for: message))
        signature[0] ^= 1
        #expect(!key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature.dropLast(), for: message))
    }

    @Test("the key-encryption key must be 32 bytes of base64")
    func kekParsing() throws {
        let kek = KeyEncryptionKey.generate()
        let again = try KeyEncryptionKey(base64Text: kek.base64Text())
        #expect(again.base64Text() == kek.base64Text())
        #expect(throws: KeyMaterialError.self) { try KeyEncryptionKey(base64Text: "c2hvcnQ=") }
        #expect(throws: KeyMaterialError.self) { try KeyEncryptionKey(base64Text: "@@@") }
    }

    @Test("hex round-trips and rejects odd or non-hex input")
    func hex() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
