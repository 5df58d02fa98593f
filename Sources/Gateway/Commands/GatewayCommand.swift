import ArgumentParser

/// `gateway`: the API server of the PHI ledger and its maintenance commands.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The PHI ledger gateway: an audited API in front of protected health information.",
        discussion: """
            Configuration comes from environment variables (see README, "Configuration").
            Typical start: `gateway keygen`, then `gateway migrate`, then `gateway serve`.
            """,
        subcommands: [ServeCommand.self, MigrateCommand.self, KeygenCommand.self, RotateTokenKeyCommand.self, AdminInviteCommand.self, PolicyCommand.self, BenchLedgerCommand.self],
        defaultSubcommand: ServeCommand.self)
}
