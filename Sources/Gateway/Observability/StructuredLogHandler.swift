import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line (`LOG_FORMAT=json`, the default) or a readable
/// line (`text`). Metadata such as `request_id` travels on every line.
struct StructuredLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level
    let label: String
    let format: LoggingSettings.Format
    let sink: any LogSink

    init(label: String, level: Logger.Level, format: LoggingSettings.Format, sink: any LogSink) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        // Hummingbird's own id is the same value as `request_id`; one copy per line is enough.
        merged.removeValue(forKey: "hb.request.id")
        let time = Self.timestamp()
        switch format {
        case .json:
            var fields: [(String, String)] = [("time", time), ("level", event.level.rawValue), ("logger", label),
                                              ("message", event.message.description)]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                fields.append((key, Self.flatten(value)))
            }
            sink.write("{" + fields.map { "\(JSONString.quote($0.0)):\(JSONString.quote($0.1))" }.joined(separator: ",") + "}")
        case .text:
            let extras = merged.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\(Self.flatten($0.value))" }
            sink.write(([time, event.level.rawValue.uppercased(), event.message.description] + extras).joined(separator: " "))
        }
    }

    private static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\(flatten($0.value))" }.joined(separator: ",") + "}"
        }
    }

    private static func timestamp() -> String {
        Date.now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Minimal JSON string quoting for log lines.
enum JSONString {
    static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
