/// Splits a SQL script into single statements, because PostgreSQL's extended query protocol (the one
/// postgres-nio speaks) takes one statement at a time. Semicolons inside quoted strings, quoted identifiers,
/// dollar-quoted bodies (`$$ ... $$`, `$tag$ ... $tag$`) and comments do not end a statement.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty, !text.isOnlyComments { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < chars.count {
            let c = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            switch c {
            case "-" where next == "-":
                while index < chars.count, chars[index] != "\n" { current.append(chars[index]); index += 1 }
                continue
            case "/" where next == "*":
                var depth = 0
                while index < chars.count {
                    if chars[index] == "/", index + 1 < chars.count, chars[index + 1] == "*" {
                        depth += 1; current.append(contentsOf: [chars[index], chars[index + 1]]); index += 2; continue
                    }
                    if chars[index] == "*", index + 1 < chars.count, chars[index + 1] == "/" {
                        depth -= 1; current.append(contentsOf: [chars[index], chars[index + 1]]); index += 2
                        if depth == 0 { break }
                        continue
                    }
                    current.append(chars[index]); index += 1
                }
                continue
            case "'", "\"":
                current.append(c); index += 1
                while index < chars.count {
                    current.append(chars[index])
                    if chars[index] == c {
                        // A doubled quote is an escaped quote, not the end.
                        if index + 1 < chars.count, chars[index + 1] == c { current.append(chars[index + 1]); index += 2; continue }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            case "$":
                if let tag = dollarTag(chars, at: index) {
                    current.append(contentsOf: tag); index += tag.count
                    while index < chars.count {
                        if chars[index] == "$", Array(chars[index..<min(chars.count, index + tag.count)]) == tag {
                            current.append(contentsOf: tag); index += tag.count
                            break
                        }
                        current.append(chars[index]); index += 1
                    }
                    continue
                }
            case ";":
                flush(); index += 1
                continue
            default:
                break
            }
            current.append(c); index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$tag$` starting at `index`, where a tag is an identifier; nil for a positional `$1`.
    private static func dollarTag(_ chars: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var end = index + 1
        while end < chars.count, chars[end] != "$" {
            let c = chars[end]
            let isIdentifier = c == "_" || c.properties.isAlphabetic || (end > index + 1 && ("0"..."9").contains(c))
            guard isIdentifier else { return nil }
            end += 1
        }
        guard end < chars.count else { return nil }
        return Array(chars[index...end])
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// True when every line is blank or a `--` comment (a trailing comment after the last statement).
    var isOnlyComments: Bool {
        split(separator: "\n").allSatisfy { line in
            let trimmed = String(line).trimmingWhitespace()
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
