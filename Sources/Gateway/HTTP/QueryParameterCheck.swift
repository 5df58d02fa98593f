import Foundation
import GatewayAPI
import Yams

/// Names the query parameter at fault when the generated decoder refuses a query: its error says what was wrong
/// but not which parameter. Built once from the contract itself, so the two cannot disagree about what a parameter
/// accepts.
struct QueryParameterCheck: Sendable {
    /// What a parameter's schema accepts, as far as decoding goes.
    enum Accepts: Sendable, Equatable {
        case text
        case integer(minimum: Int?, maximum: Int?)
        case boolean
        case dateTime
        case oneOf(Set<String>)

        func admits(_ value: String) -> Bool {
            switch self {
            case .text: true
            case .integer(let minimum, let maximum):
                Int(value).map { number in minimum.map { number >= $0 } ?? true && maximum.map { number <= $0 } ?? true } ?? false
            case .boolean: value == "true" || value == "false"
            case .dateTime: RFC3339Timestamps.parse(value) != nil
            case .oneOf(let values): values.contains(value)
            }
        }
    }

    /// Each operation's query parameters, by operation id.
    let operations: [String: [String: Accepts]]

    /// The check for the gateway's own contract; nil only if the bundled contract cannot be read.
    static let contract: QueryParameterCheck? = try? QueryParameterCheck(contract: GatewayContract.document())

    init(contract: Data) throws {
        guard let text = String(data: contract, encoding: .utf8),
              let document = try Yams.load(yaml: text) as? [String: Any], let paths = document["paths"] as? [String: Any]
        else { throw CocoaError(.fileReadCorruptFile) }
        let components = document["components"] as? [String: Any] ?? [:]
        func resolve(_ node: Any?) -> [String: Any]? {
            guard let object = node as? [String: Any] else { return nil }
            guard let reference = object["$ref"] as? String else { return object }
            // Local references only: `#/components/<kind>/<name>`.
            let parts = reference.split(separator: "/").map(String.init)
            guard parts.count == 4, parts[0] == "#", parts[1] == "components" else { return nil }
            return resolve((components[parts[2]] as? [String: Any])?[parts[3]])
        }
        func accepts(_ schema: [String: Any]) -> Accepts {
            if let values = schema["enum"] as? [Any] { return .oneOf(Set(values.map { "\($0)" })) }
            switch schema["type"] as? String {
            case "integer": return .integer(minimum: schema["minimum"] as? Int, maximum: schema["maximum"] as? Int)
            case "boolean": return .boolean
            case "string" where schema["format"] as? String == "date-time": return .dateTime
            default: return .text
            }
        }
        var operations: [String: [String: Accepts]] = [:]
        for case let item as [String: Any] in paths.values {
            let shared = item["parameters"] as? [Any] ?? []
            for case let operation as [String: Any] in item.values {
                guard let id = operation["operationId"] as? String else { continue }
                var parameters: [String: Accepts] = [:]
                for node in shared + (operation["parameters"] as? [Any] ?? []) {
                    guard let parameter = resolve(node), parameter["in"] as? String == "query", let name = parameter["name"] as? String,
                          let schema = resolve(parameter["schema"]) else { continue }
                    parameters[name] = accepts(schema)
                }
                operations[id] = parameters
            }
        }
        self.operations = operations
    }

    /// The first parameter of `query` (in the order given) whose value the operation does not accept.
    func firstRefused(operationID: String, query: String) -> String? {
        guard let parameters = operations[operationID] else { return nil }
        let items = URLComponents(string: "?" + query)?.queryItems ?? []
        return items.first { item in
            guard let accepts = parameters[item.name] else { return false }
            return !accepts.admits(item.value ?? "")
        }?.name
    }
}
