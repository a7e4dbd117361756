// `bulkhead check-config PATH`: validate a configuration and report every problem with file, line and key.

import ArgumentParser
import BulkheadConfig

/// Validates a configuration file without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate a configuration file.")

    @Argument(help: "Path of the TOML configuration.")
    var path: String

    func run() throws {
        do {
            let config = try BulkheadConfig.load(path: path)
            print("\(path): OK (\(config.nodes.count) nodes, \(config.databases.count) databases, \(config.tenants.count) tenants, \(config.users.count) users)")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
