/// What `verifier report` says about a window of the ledger: who accessed which patients, the accounting of
/// disclosures, failed sign-ins and lockouts, break-glass use, privilege changes, and whether the chain it was
/// read from is intact. Built from verified entries only; every row carries the seq of the entry it comes from.
/// Encoded as is for `--format json`.
struct ComplianceReport: Encodable, Sendable {
    struct Window: Encodable, Sendable {
        /// RFC 3339, inclusive.
        let from: String
        /// RFC 3339, exclusive.
        let to: String
    }

    let chain: String
    let generatedAt: String
    let window: Window
    /// The one account the report is about, when narrowed to one.
    let user: String?
    /// The one patient the report is about, when narrowed to one.
    let patient: String?
    /// Whether sealed fields (patients' names, disclosure details, break-glass reasons) were opened with the KEK.
    let sealedFieldsOpened: Bool
    var chainStatus: ChainStatus
    /// Staff names by account id, from the `users` table (names are not in the ledger).
    var people: [String: String] = [:]
    /// What the ledger says of each patient named in the report.
    var patients: [String: PatientLabel] = [:]
    var accesses: [Access] = []
    var accessSummary = AccessSummary()
    var disclosures: [Disclosure] = []
    var failedSignIns: [FailedSignIn] = []
    var lockouts: [Lockout] = []
    var breakGlass: [BreakGlassUse] = []
    var privilegeChanges: [PrivilegeChange] = []

    struct ChainStatus: Encodable, Sendable {
        var intact = false
        var entries: Int64 = 0
        var treeSize: Int64 = 0
        var headHash = ""
        var checkpoints = 0
        var witnessedCheckpoints = 0
        var checks: [String] = []
        var findings = 0
        /// The first findings, for the reader; `verifier verify` lists them all.
        var firstFindings: [Finding] = []
    }

    struct PatientLabel: Encodable, Sendable, Equatable {
        var mrn: String?
        var name: String?
        var shredded = false
    }

    /// One recorded access to patients' records (a read, a change, a list, or a denied attempt).
    struct Access: Encodable, Sendable {
        let seq: Int64
        let time: String
        let user: String?
        let roles: [String]
        let action: String
        let patients: [String]
        let outcome: String
        let breakGlass: Bool
        let purposeOfUse: String?
        let clientAddress: String?
    }

    struct AccessSummary: Encodable, Sendable {
        var total = 0
        var denied = 0
        var underBreakGlass = 0
        var byUser: [Count] = []
        var byPatient: [Count] = []
        /// Per UTC day of the window, in order.
        var byDay: [Count] = []
    }

    struct Count: Encodable, Sendable, Equatable {
        /// An account id, a patient id or a day (`YYYY-MM-DD`).
        let key: String
        var total = 0
        var denied = 0
        var underBreakGlass = 0
    }

    /// A disclosure with the fields HIPAA 164.528(b)(2) asks of an accounting: the date, the recipient's name and
    /// address when known, a brief description of what was disclosed, and the purpose. Nil fields are sealed and
    /// were not opened (no KEK), or the patient was shredded.
    struct Disclosure: Encodable, Sendable {
        let seq: Int64
        let recordedAt: String
        let recordedBy: String?
        let patient: String?
        var disclosedAt: String?
        var recipientName: String?
        var recipientAddress: String?
        var description: String?
        var purpose: String?
    }

    struct FailedSignIn: Encodable, Sendable {
        let seq: Int64
        let time: String
        /// The account, when the email named one.
        let account: String?
        let clientAddress: String?
        let method: String?
        let reason: String?
    }

    struct Lockout: Encodable, Sendable {
        let seq: Int64
        let time: String
        /// `account` or `address`.
        let scope: String?
        let account: String?
        let clientAddress: String?
        let until: String?
    }

    struct BreakGlassUse: Encodable, Sendable {
        let seq: Int64
        let grant: String
        let time: String
        let user: String?
        let patient: String?
        var minutes: Int?
        var reason: String?
        /// Accesses by the same person to the same patient under this grant (until it expired, or, when its length
        /// is sealed, until the next grant).
        var accessesUnderGrant = 0
    }

    struct PrivilegeChange: Encodable, Sendable {
        let seq: Int64
        let time: String
        let by: String?
        let action: String
        /// The account, policy or key changed.
        let target: String?
        let from: String?
        let to: String?
    }
}
