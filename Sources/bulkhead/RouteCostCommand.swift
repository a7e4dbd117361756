// `bulkhead route-cost`: measure the proxy CPU read/write routing adds per statement, apart from I/O.

import ArgumentParser
import BulkheadProxy
import Foundation

/// Times the session and routing work of one pooled statement with routing off and on.
struct RouteCostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route-cost",
        abstract: "Time what read/write routing adds per statement (warm prepared statements, no I/O).")

    @Option(help: "Statements timed per variant.")
    var iterations: Int = 500_000

    func run() throws {
        guard iterations >= 10 else {
            printError("--iterations must be at least 10")
            throw ExitCode(2)
        }
        print("statement\tplain_us\trouted_us\tadded_us")
        for (name, write) in [("read (SELECT, to a replica)", false), ("write (UPDATE, position learned)", true)] {
            let result = RoutingCost.measure(write: write, iterations: iterations)
            print("\(name)\t\(format(result.plain))\t\(format(result.routed))\t\(format(result.added))")
        }
    }

    private func format(_ nanoseconds: Double) -> String {
        String(format: "%.3f", nanoseconds / 1_000)
    }
}
