import Ledger

extension JSONValue {
    /// This object with `members` added (replacing same-named ones); a value that is not an object is returned as is.
    func adding(_ members: [String: JSONValue]) -> JSONValue {
        guard case .object(let object) = self else { return self }
        return .object(object.merging(members) { $1 })
    }
}
