// The `bulkhead` command: run the proxy, check a configuration, or print a password verifier.

import ArgumentParser

/// The command-line entry point.
@main
struct Bulkhead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulkhead",
        abstract: "A PostgreSQL proxy that pools connections, isolates tenants and routes reads.",
        subcommands: [Run.self, CheckConfig.self, HashPassword.self, TenantDDLCommand.self, GateCostCommand.self, RouteCostCommand.self],
        defaultSubcommand: Run.self
    )
}
