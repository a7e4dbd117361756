// Read/write routing against the live primary and two replicas: shares, read-your-writes under lag, a replica lost.

import BulkheadRouting
import Foundation
import XCTest

final class RoutingTests: XCTestCase {
    private static let checkInterval = 0.2

    private static let toml = """
        [proxy]
        listen = "127.0.0.1:0"
        pool_mode = "transaction"
        auth_failure_delay = 0.1
        connect_timeout = 2
        health_check_interval = \(checkInterval)
        log_level = "warning"

        \(ProxyFixture.clusterNodes)

        [[databases]]
        name = "bench_it"
        server_user = "postgres"
        server_password = "postgres"
        pool_size = 10

        [[databases]]
        name = "docs"
        server_user = "postgres"
        server_password = "postgres"
        pool_size = 10

        [[databases]]
        name = "docs_by_schema"
        server_database = "docs"
        server_user = "postgres"
        server_password = "postgres"
        isolation = "schema"
        consistency_scope = "tenant"
        pool_size = 10

        [[tenants]]
        name = "initech"
        database = "docs_by_schema"
        schema = "tenant_initech"
        users = [{ name = "initech_app", auth_method = "trust" }]

        [[users]]
        name = "app"
        auth_method = "trust"
        """

    private func startProxy() throws -> ProxyFixture {
        try ProxyFixture.start(toml: Self.toml, replicas: 2)
    }

    /// Creates and fills the pgbench tables directly on the primary on first use, and lets the replicas catch up.
    private func ensureBenchTables() throws {
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

    /// Read-only and writing pgbench clients side by side: no failures, every write routed to the primary, and
    /// the reads shared between the replicas, as the nodes' own pg_stat_database counters show.
    func testMixedPgbenchWritesGoToThePrimaryAndReadsSpreadOverReplicas() throws {
        try ensureBenchTables()
        let proxy = try startProxy()
        defer { proxy.stop() }
        let ports = [Cluster.primaryPort, RoutingCluster.replica1Port, RoutingCluster.replica2Port]
        let before = try ports.map { try RoutingCluster.committed(port: $0, database: "bench_it") }

        let environment = proxy.environment(user: "app", password: "", database: "bench_it")
        let outputs = Outputs()
        let failures = concurrently(2) { index in
            let workload = index == 0 ? ["-S", "-c", "6"] : ["-b", "simple-update", "-c", "2"]
            let (status, output) = try runCommand(["pgbench", "-n", "-M", "prepared", "-j", "2", "-T", "8"] + workload + ["bench_it"],
                                                  environment: environment)
            outputs.set(index, output)
            if status != 0 { throw PQError(sqlState: nil, message: output) }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures)")
        let (readOutput, writeOutput) = (outputs[0], outputs[1])
        for output in [readOutput, writeOutput] {
            XCTAssertTrue(output.contains("number of failed transactions: 0 (0.000%)"), output)
        }
        let stats = Dictionary(uniqueKeysWithValues: proxy.server.nodeStats().map { ($0.name, $0) })
        // An idle backend may hold its counters back for seconds; closing the pools makes every backend report.
        proxy.stop()
        Thread.sleep(forTimeInterval: 1.0)
        let after = try ports.map { try RoutingCluster.committed(port: $0, database: "bench_it") }
        let delta = zip(after, before).map { $0 - $1 }
        let reads = Self.processed(in: readOutput)
        let writes = Self.processed(in: writeOutput)
        print("routing share: commits primary \(delta[0]), replica1 \(delta[1]), replica2 \(delta[2]); "
            + "pgbench \(reads) read-only and \(writes) writing transactions; routed writes "
            + "\(stats.mapValues(\.writesRouted)), reads \(stats.mapValues(\.readsRouted))")
        XCTAssertGreaterThan(reads, 1000, readOutput)
        XCTAssertGreaterThan(writes, 100, writeOutput)

        XCTAssertEqual(stats["replica1"]?.writesRouted, 0, "no write may be routed to a replica")
        XCTAssertEqual(stats["replica2"]?.writesRouted, 0, "no write may be routed to a replica")
        XCTAssertGreaterThanOrEqual(stats["primary"]?.writesRouted ?? 0, UInt64(writes))
        XCTAssertGreaterThanOrEqual(delta[0], writes, "the writing transactions committed on the primary")
        // The read-only clients never wrote, so read-your-writes asks nothing of them: their reads all go to
        // replicas, shared between the two.
        XCTAssertGreaterThanOrEqual(delta[1] + delta[2], reads, "replicas served too few reads: \(delta)")
        XCTAssertGreaterThan(delta[1], reads / 4, "replica1 got too small a share: \(delta)")
        XCTAssertGreaterThan(delta[2], reads / 4, "replica2 got too small a share: \(delta)")
    }

    private static func processed(in output: String) -> Int {
        let line = output.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// A tenant writes and reads back at once, through the same connection and through a new one, 10,000 times,
    /// while one replica replays 30 ms late: no read may be stale. Tenant scope makes the new connection count.
    func testReadYourWritesUnderInjectedLag() throws {
        try Cluster.scalar("CREATE TABLE IF NOT EXISTS tenant_initech.ryw_probe (id int PRIMARY KEY, n bigint NOT NULL)")
        try Cluster.scalar("INSERT INTO tenant_initech.ryw_probe VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0")
        try RoutingCluster.waitForReplicas()
        try RoutingCluster.setApplyDelay("30ms", port: RoutingCluster.replica1Port)
        defer { try? RoutingCluster.setApplyDelay(nil, port: RoutingCluster.replica1Port) }
        let proxy = try startProxy()
        defer { proxy.stop() }

        let writer = try proxy.connect(user: "initech_app", password: "", database: "docs_by_schema")
        var stale: [String] = []
        for iteration in 1...10_000 {
            guard let written = try writer.exec("UPDATE ryw_probe SET n = n + 1 WHERE id = 1 RETURNING n").first.flatMap({ Int($0) }) else {
                return XCTFail("the update returned nothing")
            }
            if iteration % 1000 == 0 {
                // Now and then give the replicas time to catch up, so that reads do reach them.
                Thread.sleep(forTimeInterval: 0.3)
            }
            let same = iteration % 2 == 0
                ? try writer.exec("SELECT n FROM ryw_probe WHERE id = 1").first
                : try writer.exec("SELECT n FROM ryw_probe WHERE id = $1", ["1"]).first
            let fresh = try proxy.connect(user: "initech_app", password: "", database: "docs_by_schema")
            let other = try fresh.exec("SELECT n FROM ryw_probe WHERE id = 1").first
            for (path, value) in [("same connection", same), ("new connection", other)] where (value.flatMap { Int($0) } ?? -1) < written {
                stale.append("iteration \(iteration): wrote \(written), \(path) read \(value ?? "nothing")")
            }
        }
        let reads = proxy.readsRouted()
        print("read-your-writes: reads routed \(reads)")
        XCTAssertEqual(stale, [], "stale reads")
        XCTAssertGreaterThan((reads["replica1"] ?? 0) + (reads["replica2"] ?? 0), 0, "no read reached a replica: the check proved nothing")
    }

    /// A replica stops under read load and starts again: its in-flight reads fail rather than hang, it leaves the
    /// rotation within two check intervals, the other replica carries on, and it comes back once it answers.
    func testReplicaStoppedAndStartedDuringLoad() throws {
        let proxy = try startProxy()
        defer { proxy.stop() }
        defer { try? RoutingCluster.script("cluster.sh", "start", "replica2") }
        let load = ClientLoad(clients: 4, connect: { try proxy.connect(user: "app", password: "", database: "docs") },
                              statement: { _ in "SELECT inet_server_port()" })
        Thread.sleep(forTimeInterval: 1.0)
        try RoutingCluster.script("cluster.sh", "stop", "replica2")
        let stopped = Date()
        Thread.sleep(forTimeInterval: 2.0)
        try RoutingCluster.script("cluster.sh", "start", "replica2")
        let started = Date()
        let deadline = started.addingTimeInterval(10)
        while Date() < deadline, !load.entries.contains(where: { $0.port == RoutingCluster.replica2Port && $0.at > started }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(load.stop(), "a client hung")

        let entries = load.entries
        let settled = stopped.addingTimeInterval(2 * Self.checkInterval + 0.3)
        let duringOutage = entries.filter { $0.at > settled && $0.at < started }
        print("replica outage: \(entries.count) reads, \(entries.filter(\.failed).count) failed, "
            + "slowest \(entries.map(\.took).max() ?? 0) s, during the outage \(duringOutage.count) reads")
        XCTAssertFalse(duringOutage.isEmpty, "reads stopped while a replica was down")
        XCTAssertFalse(duringOutage.contains { $0.port == RoutingCluster.replica2Port }, "reads still went to the stopped replica")
        XCTAssertTrue(duringOutage.contains { $0.port == RoutingCluster.replica1Port }, "the other replica did not take over")
        XCTAssertTrue(entries.contains { $0.port == RoutingCluster.replica2Port && $0.at > started }, "the restarted replica got no reads")
        XCTAssertLessThan(entries.map(\.took).max() ?? 0, 5, "a read hung")
        // Only reads in flight on the stopping replica may fail, once per reader at most, and only around the stop.
        let failures = entries.filter(\.failed)
        XCTAssertLessThanOrEqual(failures.count, 8, "too many failed reads: \(failures.map(\.detail))")
        XCTAssertTrue(failures.allSatisfy { $0.at >= stopped.addingTimeInterval(-0.5) && $0.at < settled.addingTimeInterval(1) },
                      "reads failed outside the outage: \(failures.map(\.detail))")
    }
}
