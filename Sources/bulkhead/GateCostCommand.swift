// `bulkhead gate-cost`: measure what the SQL gate costs per statement for one tenant: cache cold, warm, and
// warm for the statement's shape only (new literals).

import ArgumentParser
import BulkheadConfig
import BulkheadProxy
import BulkheadSQL
import Foundation

/// Times the tenant gate (parse, check, rewrite, verify) on a pgbench script's statements, as the proxy runs it.
///
/// Three figures per statement: cold (parsed and checked), warm (the same text again) and shape (a text the
/// cache has not seen whose literals are all that changed; the sample value 1001 is replaced by others).
struct GateCostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate-cost",
        abstract: "Time the SQL gate per statement for a tenant's user: cold (parsed and checked), warm (cached) and shape (new literals).",
        discussion: """
            FILE is a pgbench script: lines starting with a backslash or "--" are skipped and :variables become 1001.
            """)

    @Option(name: .shortAndLong, help: "Path of the TOML configuration.")
    var config: String = "config/bulkhead.toml"

    @Option(help: "A user of a tenant in the configuration.")
    var user: String

    @Option(help: "Cold runs per statement.")
    var coldRuns: Int = 200

    @Option(help: "Warm (cached) runs per statement.")
    var warmRuns: Int = 100_000

    @Flag(help: "Also print what the gate makes of each statement: the SQL sent on, or the refusal.")
    var showSQL = false

    @Argument(help: "pgbench script whose statements are timed.")
    var file: String

    func run() throws {
        let plan: ProxyPlan
        let text: String
        do {
            plan = ProxyPlan(config: try BulkheadConfig.load(path: config))
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch let error as ConfigErrors {
            printError(error.description)
            throw ExitCode(2)
        } catch {
            printError("\(file): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        guard let policy = plan.users[user]?.tenant?.policy else {
            printError("\(user) is not a user of a tenant in \(config)")
            throw ExitCode(2)
        }
        guard coldRuns > 0, warmRuns > 0 else {
            printError("--cold-runs and --warm-runs must be at least 1")
            throw ExitCode(2)
        }
        print("statement\tverdict\tcold_us\twarm_us\tshape_us")
        for statement in Self.statements(in: text) {
            let cache = GateCache(capacity: 16)
            let verdict = cache.check(statement, policy: policy)
            let cold = Self.microseconds(per: coldRuns) { _ = TenantGate.check(statement, policy: policy) }
            let warm = Self.microseconds(per: warmRuns) { _ = cache.check(statement, policy: policy) }
            // Texts with other literals, made before the clock starts.
            let variants = (1...coldRuns * 10).map { statement.replacingOccurrences(of: "1001", with: String(1001 + $0)) }
            var next = 0
            let shape = Self.microseconds(per: variants.count) {
                _ = cache.check(variants[next], policy: policy)
                next += 1
            }
            let kind: String
            switch verdict {
            case .success(let approved): kind = approved.isRewritten ? "rewritten" : "unchanged"
            case .failure(let refusal): kind = "refused \(refusal.sqlState)"
            }
            print(String(format: "%@\t%@\t%.1f\t%.3f\t%.2f", String(statement.prefix(60)), kind, cold, warm, shape))
            if showSQL {
                switch verdict {
                case .success(let approved): print("  -> \(approved.sql)")
                case .failure(let refusal): print("  -> \(refusal.message)\(refusal.position.map { " (at character \($0))" } ?? "")")
                }
            }
        }
    }

    /// The SQL lines of a pgbench script, with `:variables` replaced by a sample value.
    static func statements(in script: String) -> [String] {
        script.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("\\"), !trimmed.hasPrefix("--") else { return nil }
            // As pgbench does: `:name` is a variable, `::type` a cast.
            return trimmed.replacingOccurrences(of: #"(?<!:):[A-Za-z_][A-Za-z0-9_]*"#, with: "1001", options: .regularExpression)
        }
    }

    private static func microseconds(per runs: Int, _ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<runs { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(runs) / 1_000
    }
}
