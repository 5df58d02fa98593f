import Foundation

/// How the writer batches, checkpoints and witnesses. Read from the environment by `GatewayConfiguration`.
struct LedgerWriterSettings: Sendable {
    /// The chain written to (`LEDGER_CHAIN`).
    var chain: String
    /// The checkpoint origin and note key name (`LEDGER_ORIGIN`), unique to this deployment.
    var origin: String
    /// A checkpoint after this many entries (`LEDGER_CHECKPOINT_EVERY`)...
    var checkpointEvery: Int
    /// ...or after this much time with new entries (`LEDGER_CHECKPOINT_INTERVAL_SECONDS`).
    var checkpointInterval: Duration
    /// The witness file checkpoints are appended to, outside the database (`LEDGER_WITNESS_FILE`).
    var witnessFile: String
    /// The most appends committed in one transaction (`LEDGER_MAX_BATCH`).
    var maxBatch: Int
    /// How long one batch's commit may take before its callers are told the outcome is unknown and the writer
    /// moves on (`LEDGER_COMMIT_TIMEOUT_SECONDS`): a database connection that died without the driver noticing
    /// must not stop every later append.
    var commitTimeout: Duration

    init(chain: String = "main", origin: String? = nil, checkpointEvery: Int = 1000, checkpointInterval: Duration = .seconds(60),
         witnessFile: String? = nil, maxBatch: Int = 512, commitTimeout: Duration = .seconds(30)) {
        self.chain = chain
        self.origin = origin ?? "phi-ledger.local/\(chain)"
        self.checkpointEvery = checkpointEvery
        self.checkpointInterval = checkpointInterval
        self.witnessFile = witnessFile ?? ".data/witness/\(chain).jsonl"
        self.maxBatch = maxBatch
        self.commitTimeout = commitTimeout
    }

    init(environment: EnvironmentReader) throws(ConfigurationError) {
        let chain = environment.string("LEDGER_CHAIN") ?? "main"
        guard chain.range(of: "^[a-z0-9][a-z0-9._-]{0,62}$", options: .regularExpression) != nil else {
            throw .invalid("LEDGER_CHAIN", "must be 1–63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
        }
        let origin = environment.string("LEDGER_ORIGIN") ?? "phi-ledger.local/\(chain)"
        guard !origin.contains(where: { $0.isWhitespace || $0 == "+" }) else {
            throw .invalid("LEDGER_ORIGIN", "must not contain spaces or '+', e.g. ledger.hospital.example/main")
        }
        self.init(
            chain: chain, origin: origin,
            checkpointEvery: try environment.int("LEDGER_CHECKPOINT_EVERY", default: 1000, range: 1...1_000_000),
            checkpointInterval: .seconds(try environment.int("LEDGER_CHECKPOINT_INTERVAL_SECONDS", default: 60, range: 1...86_400)),
            witnessFile: environment.string("LEDGER_WITNESS_FILE"),
            maxBatch: try environment.int("LEDGER_MAX_BATCH", default: 512, range: 1...10_000),
            commitTimeout: .seconds(try environment.int("LEDGER_COMMIT_TIMEOUT_SECONDS", default: 30, range: 1...600)))
    }
}
