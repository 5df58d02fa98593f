import Logging

extension Logger {
    /// A logger writing through `StructuredLogHandler`; used by `main` and by tests with a capturing sink.
    static func gateway(_ settings: LoggingSettings, sink: any LogSink = StandardOutputSink(), label: String = "gateway") -> Logger {
        Logger(label: label) { label in
            StructuredLogHandler(label: label, level: settings.level, format: settings.format, sink: sink)
        }
    }
}
