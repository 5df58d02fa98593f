import Testing
@testable import WebAuthn

/// The typed accessors and key lookups that COSE key and attestation parsing use, and data-model equality.
@Suite("CBOR: values")
struct CBORValueTests {
    typealias Fixture = CBORTestSupport

    @Test("int gives the value of integers that fit in Int64 and nil for those that do not")
    func intAccessor() {
        #expect(CBORValue.unsigned(UInt64(Int64.max)).int == .max)
        #expect(CBORValue.unsigned(UInt64(Int64.max) + 1).int == nil)
        #expect(CBORValue.negative(0).int == -1)
        #expect(CBORValue.negative(UInt64(Int64.max)).int == .min)
        #expect(CBORValue.negative(UInt64(Int64.max) + 1).int == nil)
        #expect(CBORValue.float(1).int == nil)
    }

    @Test("an Int64 becomes the CBOR integer of the same value, down to Int64.min")
    func integerInitializer() {
        #expect(CBORValue(0) == .unsigned(0))
        #expect(CBORValue(-7) == .negative(6))
        #expect(CBORValue(.min) == .negative(UInt64(Int64.max)))
        #expect(CBORValue(.max) == .unsigned(UInt64(Int64.max)))
    }

    @Test("each accessor answers for its own kind and nil for the others")
    func accessorsMatchKinds() {
        let bytes: CBORValue = .bytes([1]), text: CBORValue = .text("a")
        #expect(bytes.bytes == [1] && bytes.text == nil && bytes.int == nil)
        #expect(text.text == "a" && text.bytes == nil && text.map == nil)
        #expect(CBORValue.array([.null]).array == [.null])
        #expect(CBORValue.bool(true).bool == true && CBORValue.null.bool == nil)
        #expect(CBORValue.null.isNull && !CBORValue.undefined.isNull && CBORValue.undefined.isUndefined)
        #expect(CBORValue.unsigned(5).uint64 == 5 && CBORValue.negative(5).uint64 == nil)
        #expect(CBORValue.float(2.5).double == 2.5 && CBORValue.unsigned(2).double == nil)
        #expect(CBORValue.tagged(24, .bytes([])).tagged?.tag == 24)
    }

    @Test("a COSE key's fields are found by integer label, negative labels included")
    func coseKeyLookup() throws {
        let x = [UInt8](repeating: 0xaa, count: 32), y = [UInt8](repeating: 0xbb, count: 32)
        let encoded = Fixture.bytes("a5 01 02 03 26 20 01 21 5820") + x + [0x22, 0x58, 0x20] + y
        let key = try CBORDecoder().decode(encoded)
        #expect(key[1]?.int == 2)  // kty: EC2
        #expect(key[3]?.int == -7)  // alg: ES256
        #expect(key[-1]?.int == 1)  // crv: P-256
        #expect(key.value(forKey: -2)?.bytes == x)
        #expect(key[-3]?.bytes == y)
        #expect(key[4] == nil)
        #expect(key["1"] == nil)
    }

    @Test("an attestation object's fields are found by text key")
    func attestationObjectLookup() throws {
        let authData = [UInt8](repeating: 0x42, count: 37)
        let encoded = Fixture.bytes("a3 63666d74 646e6f6e65 6761747453746d74 a0 686175746844617461 5825") + authData
        let object = try CBORDecoder().decode(encoded)
        #expect(object["fmt"]?.text == "none")
        #expect(object["attStmt"]?.map?.isEmpty == true)
        #expect(object.value(forKey: "authData")?.bytes == authData)
        #expect(object.map?.map(\.key) == [.text("fmt"), .text("attStmt"), .text("authData")])
    }

    @Test("looking up a key in something that is not a map finds nothing")
    func lookupInNonMap() {
        #expect(CBORValue.array([.unsigned(1), .unsigned(2)])[1] == nil)
        #expect(CBORValue.text("fmt")["fmt"] == nil)
    }

    @Test("text keys match byte for byte, without Unicode normalization")
    func textKeysMatchByBytes() throws {
        let map = try CBORDecoder().decode(Fixture.bytes("a1 62c3a9 01"))  // {"é" (U+00E9): 1}
        #expect(map["\u{e9}"]?.int == 1)
        #expect(map["e\u{301}"] == nil)
        #expect(CBORValue.text("\u{e9}") != .text("e\u{301}"))
    }

    @Test("floats compare by value across precisions, NaN equals itself, and 0.0 differs from −0.0")
    func floatEquality() {
        #expect(Fixture.decode(hex: "f93c00") == Fixture.decode(hex: "fb3ff0000000000000"))
        #expect(CBORValue.float(.nan) == .float(.nan))
        #expect(Set([CBORValue.float(.nan), .float(.nan)]).count == 1)
        #expect(CBORValue.float(0.0) != .float(-0.0))
        #expect(CBORValue.float(1) != .unsigned(1))
    }

    @Test("equal values hash equally, so they can key a set")
    func hashingMatchesEquality() {
        let values: [CBORValue] = [
            .unsigned(1), .negative(0), .bytes([1]), .text("a"), .array([.unsigned(1)]),
            .map([.init(key: .unsigned(1), value: .null)]), .tagged(1, .unsigned(1)), .bool(true), .null,
            .undefined, .float(1),
        ]
        #expect(Set(values + values).count == values.count)
    }

    @Test("errors describe what failed and where")
    func errorDescriptions() {
        #expect(CBORError.duplicateMapKey(offset: 7).description == "duplicate CBOR map key at offset 7")
        #expect(CBORError.truncated(offset: 3).description.contains("offset 3"))
    }
}
