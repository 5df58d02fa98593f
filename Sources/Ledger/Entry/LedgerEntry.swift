/// One ledger entry: who did what to which record, about which patient, under which policy, with what
/// outcome, chained to the entry before it. Its canonical JSON (RFC 8785) is what is hashed and signed; see
/// docs/ledger-format.md for every field.
public struct LedgerEntry: Sendable, Equatable {
    /// The entry format version (`LedgerFormat.version`).
    public var version: Int
    /// The chain this entry belongs to (`[a-z0-9][a-z0-9._-]{0,62}`).
    public var chain: String
    /// Position in the chain, gap-free from 1.
    public var seq: Int64
    /// Entry hash of entry `seq - 1`; 32 zero bytes for seq 1.
    public var prev: [UInt8]
    /// A random identifier fixed when the entry is drafted; sealed payloads are bound to it.
    public var id: String
    /// When the entry was recorded (UTC, microseconds).
    public var recordedAt: LedgerTimestamp
    /// Who acted; nil for the system itself.
    public var actor: Actor?
    /// What was done, e.g. `patient.update`, `patient.read`, `auth.login.failed`.
    public var action: String
    /// The record acted on.
    public var resource: ResourceReference?
    /// The patient the entry is about, if any.
    public var subject: String?
    /// The purpose of use claimed for the action (e.g. `TREAT`, `ETREAT` for break-glass).
    public var purposeOfUse: String?
    /// Hex SHA-256 of the policy set in force.
    public var policyVersion: String?
    /// The request id of the API call that caused the entry.
    public var requestID: String?
    /// How the action ended.
    public var outcome: Outcome
    /// What changed: nothing, non-PHI facts in clear, or PHI sealed under the subject's data key.
    public var payload: Payload

    public init(
        version: Int = LedgerFormat.version, chain: String, seq: Int64, prev: [UInt8], id: String,
        recordedAt: LedgerTimestamp, actor: Actor?, action: String, resource: ResourceReference? = nil,
        subject: String? = nil, purposeOfUse: String? = nil, policyVersion: String? = nil, requestID: String? = nil,
        outcome: Outcome = .success, payload: Payload = .none
    ) {
        self.version = version
        self.chain = chain
        self.seq = seq
        self.prev = prev
        self.id = id
        self.recordedAt = recordedAt
        self.actor = actor
        self.action = action
        self.resource = resource
        self.subject = subject
        self.purposeOfUse = purposeOfUse
        self.policyVersion = policyVersion
        self.requestID = requestID
        self.outcome = outcome
        self.payload = payload
    }

    /// The authenticated principal behind an entry.
    public struct Actor: Sendable, Equatable {
        public var userID: String?
        public var roles: [String]
        public var sessionID: String?
        /// Authentication methods (RFC 8176 `amr` values: `pwd`, `hwk`, `user`, ...).
        public var authMethods: [String]
        public var clientAddress: String?

        public init(userID: String?, roles: [String] = [], sessionID: String? = nil, authMethods: [String] = [], clientAddress: String? = nil) {
            self.userID = userID
            self.roles = roles
            self.sessionID = sessionID
            self.authMethods = authMethods
            self.clientAddress = clientAddress
        }
    }

    /// A typed reference to a record.
    public struct ResourceReference: Sendable, Equatable {
        public var type: String
        public var id: String
        public init(type: String, id: String) {
            self.type = type
            self.id = id
        }
    }

    /// The result of the action.
    public enum Outcome: String, Sendable, CaseIterable {
        case success, denied, failure
    }

    /// The entry's payload.
    public enum Payload: Sendable, Equatable {
        /// No payload (reads, most auth events).
        case none
        /// Facts that are not PHI, in clear (e.g. a role change, a key rotation).
        case clear(JSONValue)
        /// PHI, sealed with XChaCha20-Poly1305 under the subject's data key.
        case sealed(SealedPayload)
    }
}

/// The hash value of seq 0: what entry 1's `prev` holds.
public let genesisPrevHash = [UInt8](repeating: 0, count: 32)
