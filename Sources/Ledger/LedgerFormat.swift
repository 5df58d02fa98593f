/// Constants of the ledger's on-disk and on-wire format (docs/ledger-format.md).
public enum LedgerFormat {
    /// The entry format version written by this build.
    public static let version = 1
}
