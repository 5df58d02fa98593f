import Foundation

/// The checkpoints a gateway appended to its witness file, outside the database (one JSON object per line:
/// `chain`, `treeSize`, `note`).
enum WitnessLog {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    struct Line {
        let number: Int
        let treeSize: Int64
        let note: String
    }

    /// The lines for `chain`, in file order.
    static func load(_ path: String, chain: String) throws -> [Line] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Invalid(description: "cannot read the witness file \(path)")
        }
        var lines: [Line] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let lineChain = object["chain"] as? String, let size = (object["treeSize"] as? NSNumber)?.int64Value,
                  let note = object["note"] as? String
            else { throw Invalid(description: "\(path):\(index + 1): not a witness line ({\"chain\", \"treeSize\", \"note\"})") }
            if lineChain == chain { lines.append(Line(number: index + 1, treeSize: size, note: note)) }
        }
        return lines
    }
}
