/// `Number.prototype.toString()` for doubles (ECMA-262 §6.1.6.1.20), as RFC 8785 §3.2.2.3 requires.
///
/// Swift's `description` already yields the shortest digit string that round-trips (the same digits
/// ECMAScript picks); this only re-lays those digits out by ECMAScript's rules for where the point and
/// exponent go.
enum ECMAScriptNumber {
    static func format(_ value: Double) throws(JCS.Error) -> String {
        guard value.isFinite else { throw .nonFiniteNumber }
        if value == 0 { return "0" }  // also -0
        let (negative, digits, pointPosition) = decompose(value)
        let k = digits.count
        let n = pointPosition
        var text: String
        if k <= n, n <= 21 {
            text = digits + String(repeating: "0", count: n - k)
        } else if 0 < n, n <= 21 {
            let split = digits.index(digits.startIndex, offsetBy: n)
            text = digits[..<split] + "." + digits[split...]
        } else if -6 < n, n <= 0 {
            text = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            text = first + (rest.isEmpty ? "" : "." + rest) + "e" + (exponent >= 0 ? "+" : "-") + String(abs(exponent))
        }
        return negative ? "-" + text : text
    }

    /// Splits `value` into sign, significant digits (no leading or trailing zeros) and `n`, the position of the
    /// decimal point relative to the digits: value = 0.d1d2...dk × 10^n.
    static func decompose(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        let description = abs(value).description  // e.g. "1.2345e-07", "123.0", "5e-324"
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...])!
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + fractionPart
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (value.sign == .minus, digits, pointPosition)
    }
}
