// `bulkhead tenant-ddl --config PATH`: print the roles, grants and RLS policies that back tenant isolation in PostgreSQL.

import ArgumentParser
import BulkheadConfig

/// Prints SQL for operators to apply, so that PostgreSQL enforces the tenant boundary too.
struct TenantDDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant-ddl",
        abstract: "Print SQL creating per-tenant roles, grants and row-level-security policies (defense in depth).")

    @Option(name: .shortAndLong, help: "Path of the TOML configuration.")
    var config: String = "config/bulkhead.toml"

    func run() throws {
        do {
            print(TenantDDL.sql(for: try BulkheadConfig.load(path: config)), terminator: "")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
