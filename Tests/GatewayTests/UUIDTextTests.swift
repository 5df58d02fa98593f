import Foundation
import Testing
@testable import Gateway

@Suite("Ids: random version-4 UUIDs and their lowercase text")
struct UUIDTextTests {
    @Test("text is Foundation's uuidString in lowercase, for fixed and random ids")
    func textMatchesFoundation() {
        let fixed = [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
            UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")!,
        ]
        for id in fixed + (0..<500).map({ _ in UUID() }) {
            #expect(id.text == id.uuidString.lowercased())
            #expect(UUID(uuidString: id.text) == id)
        }
        #expect(fixed[2].text == "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
    }

    @Test("random ids carry the version-4 and RFC 9562 variant bits, and do not repeat")
    func randomIDs() {
        let ids = (0..<2_000).map { _ in UUID.random() }
        for id in ids {
            let text = id.text
            #expect(text[text.index(text.startIndex, offsetBy: 14)] == "4")
            #expect("89ab".contains(text[text.index(text.startIndex, offsetBy: 19)]))
        }
        #expect(Set(ids).count == ids.count)
        // Every other bit varies: OR-ing and AND-ing all ids leaves only the fixed bits constant.
        let bytes = ids.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } }
        let anySet = bytes.reduce([UInt8](repeating: 0, count: 16)) { zip($0, $1).map { $0 | $1 } }
        let allSet = bytes.reduce([UInt8](repeating: 255, count: 16)) { zip($0, $1).map { $0 & $1 } }
        #expect(anySet == [255, 255, 255, 255, 255, 255, 0x4f, 255, 0xbf, 255, 255, 255, 255, 255, 255, 255])
        #expect(allSet == [0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0])
    }
}
