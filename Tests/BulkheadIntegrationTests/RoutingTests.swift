// Read/write routing against the live primary and two replicas: shares, read-your-writes under lag, a replica lost.

import BulkheadRouting
import Foundation
import XCTest

final class RoutingTests: XCTestCase {
    private static let checkInterval = 0.2

    private static let toml = ProxyFixture.routingTOML(poolMode: "transaction", checkInterval: checkInterval)

    private func startProxy() throws -> ProxyFixture {
        try ProxyFixture.start(toml: Self.toml, replicas: 2)
    }

    /// Read-only and writing pgbench clients side by side: no failures, every write routed to the primary, and
    /// the reads shared between the replicas, as the nodes' own pg_stat_database counters show.
    func testMixedPgbenchWritesGoToThePrimaryAndReadsSpreadOverReplicas() throws {
        try MixedPgbench.ensureTables()
        let proxy = try startProxy()
        defer { proxy.stop() }
        let (writes, stats) = try MixedPgbench.run(through: proxy, readArguments: ["-M", "prepared", "-S", "-c", "6"],
                                                   writeArguments: ["-M", "prepared", "-b", "simple-update", "-c", "2"])
        XCTAssertGreaterThanOrEqual(stats["primary"]?.writesRouted ?? 0, UInt64(writes), "every write was routed to the primary")
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
