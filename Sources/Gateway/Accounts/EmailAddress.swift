import Foundation

/// Email addresses as accounts are keyed by them: trimmed and lower-cased, one `@` with something on each side,
/// no spaces or control characters. Deliberately not an RFC 5322 parser: it only has to tell a typo from an address.
enum EmailAddress {
    static func normalised(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...320).contains(email.utf8.count), parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return nil }
        return email
    }
}
