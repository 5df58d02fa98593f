/// What a password must be. Length is what makes a password hard to guess (NIST SP 800-63B): at least 12
/// characters, at most 128 so that hashing stays bounded; no composition rules, which push people towards
/// predictable patterns.
enum PasswordPolicy {
    static let minimumLength = 12
    static let maximumLength = 128

    /// Why `password` is refused, in words for the person choosing it; nil when it is acceptable.
    static func problem(with password: String) -> String? {
        let length = password.count
        if length < minimumLength {
            return "The password must be at least \(minimumLength) characters long."
        }
        if length > maximumLength {
            return "The password must be at most \(maximumLength) characters long."
        }
        if password.allSatisfy(\.isWhitespace) {
            return "The password must not be only spaces."
        }
        if Set(password).count == 1 {
            return "The password must not repeat a single character."
        }
        return nil
    }
}
