/// Turns a request decoding error into a 400 that names the field at fault (`tags[2]`, `patient.birthDate`), so
/// that a client learns what to fix without seeing anything of the server's internals.
enum DecodingProblem {
    static func apiError(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return field(context.codingPath + [key], "This field is required.")
        case .valueNotFound(_, let context):
            return field(context.codingPath, "This field must not be null.")
        case .typeMismatch(let type, let context):
            return field(context.codingPath, "This field must be \(kind(of: type)).")
        case .dataCorrupted(let context):
            if context.debugDescription.hasPrefix("Additional properties") {
                return field(context.codingPath, "This is not a field of this request.")
            }
            return field(context.codingPath, "This value is not one the API accepts here.")
        @unknown default:
            return .badRequest("The request body or parameters do not match the API contract.")
        }
    }

    private static func field(_ path: [any CodingKey], _ detail: String) -> APIError {
        let name = path.reduce(into: "") { name, key in
            if let index = key.intValue {
                name += "[\(index)]"
            } else {
                name += name.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        guard !name.isEmpty else { return .badRequest("The request body is not a JSON object of the expected shape.") }
        return .invalidField(name, detail)
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
