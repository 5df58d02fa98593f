import Testing
@testable import WebAuthn

@Suite("base64url (RFC 4648 §5, unpadded)")
struct Base64URLTests {
    /// RFC 4648 §10 test vectors, with padding removed as WebAuthn does.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ]

    @Test("encodes and decodes the RFC 4648 vectors", arguments: vectors)
    func rfcVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses the URL-safe alphabet")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
    }

    @Test("rejects padding, standard-alphabet characters, impossible lengths and non-canonical trailing bits",
          arguments: ["Zg==", "+/8", "Z", "Zh", "Zm9v Yg", "Zm9vYg\n"])
    func rejectsNonCanonical(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
