// `bulkhead hash-password`: print a SCRAM-SHA-256 verifier in PostgreSQL's format for the config.

import ArgumentParser
import BulkheadAuth

/// Prints a verifier so plaintext passwords need not live in the configuration.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a SCRAM-SHA-256 verifier for a password (read from standard input when not given).")

    @Argument(help: "The password. Prefer standard input, which keeps it out of shell history.")
    var password: String?

    @Option(help: "PBKDF2 iterations.")
    var iterations: Int = 4096

    func validate() throws {
        guard (1...10_000_000).contains(iterations) else { throw ValidationError("--iterations must be between 1 and 10000000") }
    }

    func run() throws {
        guard let secret = password ?? readLine(strippingNewline: true), !secret.isEmpty else {
            printError("no password given")
            throw ExitCode(2)
        }
        print(SCRAMVerifier.make(password: secret, iterations: iterations).description)
    }
}
