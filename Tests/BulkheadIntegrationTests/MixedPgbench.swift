// A read-only and a writing pgbench side by side through a routing proxy, checked against the nodes' own counters.

import BulkheadRouting
import Foundation
import XCTest

/// The routing share under a mixed pgbench workload, for any pool mode.
enum MixedPgbench {
    /// Creates and fills the pgbench tables directly on the primary on first use, and lets the replicas catch up.
    static func ensureTables() throws {
        if try Cluster.scalar("SELECT count(*) FROM pg_database WHERE datname = 'bench_it'", database: "postgres") == "0" {
            try Cluster.scalar("CREATE DATABASE bench_it", database: "postgres")
        }
        if try Cluster.scalar("SELECT to_regclass('pgbench_accounts') IS NULL", database: "bench_it") == "t" {
            var environment = ProcessInfo.processInfo.environment
            environment["PGPASSWORD"] = "postgres"
            let (status, output) = try runCommand(
                ["pgbench", "-i", "-s", "1", "-q", "-h", Cluster.host, "-p", "\(Cluster.primaryPort)", "-U", "postgres", "bench_it"],
                environment: environment)
            XCTAssertEqual(status, 0, output)
        }
        try RoutingCluster.waitForReplicas()
    }

    /// Runs both pgbench loads for 8 seconds through `proxy` (user `app`, database `bench_it`) and asserts: no
    /// failed transaction, no write routed to a replica, the writes committed on the primary, and the reads
    /// shared between the two replicas. Stops the proxy, so that every backend reports its counters. Returns
    /// the writing transactions pgbench processed, and the proxy's node stats by node name.
    @discardableResult
    static func run(through proxy: ProxyFixture, readArguments: [String], writeArguments: [String],
                    file: StaticString = #filePath, line: UInt = #line) throws -> (writes: Int, stats: [String: NodeStats]) {
        let ports = [Cluster.primaryPort, RoutingCluster.replica1Port, RoutingCluster.replica2Port]
        let before = try ports.map { try RoutingCluster.committed(port: $0, database: "bench_it") }

        let environment = proxy.environment(user: "app", password: "", database: "bench_it")
        let outputs = Outputs()
        let failures = concurrently(2) { index in
            let workload = index == 0 ? readArguments : writeArguments
            let (status, output) = try runCommand(["pgbench", "-n", "-j", "2", "-T", "8"] + workload + ["bench_it"], environment: environment)
            outputs.set(index, output)
            if status != 0 { throw PQError(sqlState: nil, message: output) }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures)", file: file, line: line)
        let (readOutput, writeOutput) = (outputs[0], outputs[1])
        for output in [readOutput, writeOutput] {
            XCTAssertTrue(output.contains("number of failed transactions: 0 (0.000%)"), output, file: file, line: line)
        }
        let stats = Dictionary(uniqueKeysWithValues: proxy.server.nodeStats().map { ($0.name, $0) })
        // An idle backend may hold its counters back for seconds; closing the pools makes every backend report.
        proxy.stop()
        Thread.sleep(forTimeInterval: 1.0)
        let after = try ports.map { try RoutingCluster.committed(port: $0, database: "bench_it") }
        let delta = zip(after, before).map { $0 - $1 }
        let reads = processed(in: readOutput)
        let writes = processed(in: writeOutput)
        print("routing share (\(readArguments.joined(separator: " "))): commits primary \(delta[0]), replica1 \(delta[1]), "
            + "replica2 \(delta[2]); pgbench \(reads) read-only and \(writes) writing transactions; routed writes "
            + "\(stats.mapValues(\.writesRouted)), reads \(stats.mapValues(\.readsRouted))")
        XCTAssertGreaterThan(reads, 1000, readOutput, file: file, line: line)
        XCTAssertGreaterThan(writes, 100, writeOutput, file: file, line: line)

        XCTAssertEqual(stats["replica1"]?.writesRouted, 0, "no write may be routed to a replica", file: file, line: line)
        XCTAssertEqual(stats["replica2"]?.writesRouted, 0, "no write may be routed to a replica", file: file, line: line)
        XCTAssertGreaterThanOrEqual(delta[0], writes, "the writing transactions committed on the primary", file: file, line: line)
        // The read-only clients never wrote, so read-your-writes asks nothing of them: their reads all go to
        // replicas, shared between the two.
        XCTAssertGreaterThanOrEqual(delta[1] + delta[2], reads, "replicas served too few reads: \(delta)", file: file, line: line)
        XCTAssertGreaterThan(delta[1], reads / 4, "replica1 got too small a share: \(delta)", file: file, line: line)
        XCTAssertGreaterThan(delta[2], reads / 4, "replica2 got too small a share: \(delta)", file: file, line: line)
        return (writes, stats)
    }

    private static func processed(in output: String) -> Int {
        let line = output.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }
}
