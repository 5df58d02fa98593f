/// Signing-key rotation as a ledger entry (action `ledger.key.rotate`), signed by the outgoing key. Its clear
/// payload introduces the new key and carries the new key's signature over the rotation statement, proving the
/// writer holds it. From the next entry on, the new key signs; a verifier follows this to extend its trusted set.
public enum KeyRotation {
    public static let action = "ledger.key.rotate"

    /// The statement the new key signs: `"PHI-LEDGER-KEY-ROTATION-V1" || 0x00 || chain || 0x00 || old key id ||
    /// 0x00 || new public key`.
    public static func statement(chain: String, oldKeyID: String, newPublicKey: Ed25519PublicKey) -> [UInt8] {
        Array("PHI-LEDGER-KEY-ROTATION-V1".utf8) + [0] + Array(chain.utf8) + [0] + Array(oldKeyID.utf8) + [0] + newPublicKey.bytes
    }

    /// The payload of a rotation entry.
    public static func payload(chain: String, oldKey: Ed25519SigningKey, newKey: Ed25519SigningKey) -> LedgerEntry.Payload {
        let proof = newKey.sign(statement(chain: chain, oldKeyID: oldKey.keyID, newPublicKey: newKey.publicKey))
        return .clear([
            "oldKeyId": .string(oldKey.keyID),
            "newKeyId": .string(newKey.keyID),
            "newPublicKey": .string(Hex.encode(newKey.publicKey.bytes)),
            "proof": .string(Hex.encode(proof)),
        ])
    }

    /// The key a rotation entry introduces, after checking that it names the key that signed the entry and that
    /// the new key's proof verifies. Nil when `entry` is not a valid rotation.
    public static func introducedKey(by entry: LedgerEntry, signedBy keyID: String) -> Ed25519PublicKey? {
        guard entry.action == action, case .clear(let payload) = entry.payload,
              payload["oldKeyId"]?.stringValue == keyID,
              let hex = payload["newPublicKey"]?.stringValue, let bytes = Hex.decode(hex),
              let newKey = try? Ed25519PublicKey(bytes: bytes),
              payload["newKeyId"]?.stringValue == newKey.keyID,
              let proofHex = payload["proof"]?.stringValue, let proof = Hex.decode(proofHex),
              newKey.isValidSignature(proof, for: statement(chain: entry.chain, oldKeyID: keyID, newPublicKey: newKey))
        else { return nil }
        return newKey
    }
}
