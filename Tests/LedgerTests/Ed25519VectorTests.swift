import Foundation
import Testing
@testable import Ledger

@Suite("Ed25519 against RFC 8032 §7.1")
struct Ed25519VectorTests {
    @Test("each published vector yields its public key and signature, and the signature verifies")
    func rfc8032() throws {
        let vectors = try Fixtures.json("ed25519/rfc8032.json") as! [[String: String]]
        #expect(vectors.count >= 3)
        for vector in vectors {
            let key = try Ed25519SigningKey(seed: Hex.decode(vector["secret"]!)!)
            let message = Hex.decode(vector["message"]!)!
            #expect(Hex.encode(key.publicKey.bytes) == vector["public"], "\(vector["name"]!)")
            let signature = key.sign(message)
            #expect(Hex.encode(signature) == vector["signature"], "\(vector["name"]!)")
            #expect(key.publicKey.isValidSignature(signature, for: message))
        }
    }
}
