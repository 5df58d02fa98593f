import Foundation
import Testing
@testable import Ledger

@Suite("Base64 written into a byte buffer")
struct Base64Tests {
    @Test("RFC 4648 §10 test vectors")
    func rfcVectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, expected) in vectors {
            var out: [UInt8] = []
            Base64.append(Array(input.utf8), to: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(input)")
        }
    }

    @Test("the same text as Foundation for every length up to 200, appended after what the buffer held")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out = Array("prefix:".utf8)
            Base64.append(bytes, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "prefix:" + Data(bytes).base64EncodedString(), "length \(length)")
        }
    }
}
