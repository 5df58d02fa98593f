/// Small inline SVG charts for the HTML report: drawn from numbers alone, no script, so the page stays
/// self-contained and prints as it shows.
enum SVGChart {
    /// One column per period, allowed accesses in blue with denied ones stacked in red above them.
    static func columns(_ counts: [ComplianceReport.Count], title: String, width: Int = 720, height: Int = 200) -> String {
        let left = 40, bottom = 36, top = 12
        let plotHeight = height - bottom - top
        let maximum = max(1, counts.map(\.total).max() ?? 0)
        let step = counts.isEmpty ? 0 : Double(width - left - 8) / Double(counts.count)
        let barWidth = max(1, step * 0.7)
        var parts = [header(width: width, height: height, title: title)]
        for tick in ticks(maximum) {
            let y = Double(top) + Double(plotHeight) * (1 - Double(tick) / Double(maximum))
            parts.append(#"<line x1="\#(left)" x2="\#(width - 4)" y1="\#(format(y))" y2="\#(format(y))" class="grid"/>"#)
            parts.append(#"<text x="\#(left - 6)" y="\#(format(y + 4))" text-anchor="end">\#(tick)</text>"#)
        }
        let labelEvery = max(1, Int((Double(counts.count) / 12).rounded(.up)))
        for (index, count) in counts.enumerated() {
            let x = Double(left) + Double(index) * step + (step - barWidth) / 2
            let allowed = Double(count.total - count.denied) / Double(maximum) * Double(plotHeight)
            let denied = Double(count.denied) / Double(maximum) * Double(plotHeight)
            let base = Double(top + plotHeight)
            let label = "\(count.key): \(count.total) accesses, \(count.denied) denied"
            parts.append(#"<g><title>\#(HTML.escape(label))</title>"#)
            parts.append(rect(x: x, y: base - allowed, width: barWidth, height: allowed, class: "allowed"))
            parts.append(rect(x: x, y: base - allowed - denied, width: barWidth, height: denied, class: "denied"))
            parts.append("</g>")
            if index % labelEvery == 0 {
                let key = count.key.count == 10 ? String(count.key.suffix(5)) : count.key
                parts.append(#"<text x="\#(format(x + barWidth / 2))" y="\#(height - bottom + 16)" text-anchor="middle">\#(HTML.escape(key))</text>"#)
            }
        }
        parts.append(#"<line x1="\#(left)" x2="\#(width - 4)" y1="\#(top + plotHeight)" y2="\#(top + plotHeight)" class="axis"/>"#)
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// Horizontal bars, one per labelled count, longest first (at most `limit`).
    static func bars(_ counts: [(label: String, count: ComplianceReport.Count)], title: String, width: Int = 720, limit: Int = 10) -> String {
        let shown = Array(counts.prefix(limit))
        let rowHeight = 22, left = 200, top = 6
        let height = top * 2 + max(1, shown.count) * rowHeight
        let maximum = max(1, shown.map(\.count.total).max() ?? 0)
        let plotWidth = Double(width - left - 60)
        var parts = [header(width: width, height: height, title: title)]
        for (index, item) in shown.enumerated() {
            let y = Double(top + index * rowHeight)
            let allowed = Double(item.count.total - item.count.denied) / Double(maximum) * plotWidth
            let denied = Double(item.count.denied) / Double(maximum) * plotWidth
            parts.append(#"<text x="\#(left - 8)" y="\#(format(y + 15))" text-anchor="end">\#(HTML.escape(String(item.label.prefix(30))))</text>"#)
            parts.append(rect(x: Double(left), y: y + 3, width: allowed, height: Double(rowHeight - 6), class: "allowed"))
            parts.append(rect(x: Double(left) + allowed, y: y + 3, width: denied, height: Double(rowHeight - 6), class: "denied"))
            parts.append(#"<text x="\#(format(Double(left) + allowed + denied + 6))" y="\#(format(y + 15))">\#(item.count.total)</text>"#)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private static func header(width: Int, height: Int, title: String) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)" role="img" aria-label="\#(HTML.escape(title))"><title>\#(HTML.escape(title))</title>"#
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, class name: String) -> String {
        guard height > 0, width > 0 else { return "" }
        return #"<rect x="\#(format(x))" y="\#(format(y))" width="\#(format(width))" height="\#(format(height))" class="\#(name)"/>"#
    }

    /// Up to five round values from 0 to `maximum`.
    static func ticks(_ maximum: Int) -> [Int] {
        let rough = max(1, maximum / 4)
        let magnitude = Int(pow10(String(rough).count - 1))
        let step = [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        return Array(stride(from: 0, through: maximum, by: step))
    }

    private static func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    private static func format(_ value: Double) -> String {
        String(Double(Int((value * 10).rounded())) / 10)
    }
}

/// Escaping for text and attribute values in the HTML report.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
