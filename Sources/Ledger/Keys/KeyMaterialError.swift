/// Why key material could not be read. The messages never include the key bytes themselves.
public enum KeyMaterialError: Error, Equatable, CustomStringConvertible {
    /// The text is not the expected PEM or base64 form.
    case malformed(String)
    /// The key decodes but is of the wrong algorithm or length.
    case unsupported(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed key: \(why)"
        case .unsupported(let why): "unsupported key: \(why)"
        }
    }
}
