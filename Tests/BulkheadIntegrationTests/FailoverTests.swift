// The primary dies under write load and its replica is promoted: writes wait, fail clearly, then find the new primary.

import BulkheadRouting
import Foundation
import XCTest

final class FailoverTests: XCTestCase {
    private static let checkInterval = 0.2
    private static let primaryWait = 1.5
    private static let primaryPort = 29442
    private static let replicaPort = 29443

    private static let toml = """
        [proxy]
        listen = "127.0.0.1:0"
        pool_mode = "transaction"
        auth_failure_delay = 0.1
        connect_timeout = 1
        health_check_interval = \(checkInterval)
        primary_wait_timeout = \(primaryWait)
        log_level = "warning"

        [[nodes]]
        name = "a"
        host = "127.0.0.1"
        port = \(primaryPort)
        role = "auto"

        [[nodes]]
        name = "b"
        host = "127.0.0.1"
        port = \(replicaPort)
        role = "auto"

        [[databases]]
        name = "postgres"
        server_user = "postgres"
        pool_size = 4

        [[users]]
        name = "app"
        auth_method = "trust"
        """

    /// Writers insert without pause while node a is stopped and b promoted some seconds later.
    ///
    /// Writes in flight on a fail with a connection error; writes that arrive while there is no primary wait
    /// `primary_wait_timeout` and then fail with 57P03 and the reason; once b is promoted, the proxy finds it
    /// within two check intervals and every later write lands there.
    func testWritesFindThePromotedReplica() throws {
        try RoutingCluster.script("failover-pair.sh", "up")
        defer { try? RoutingCluster.script("failover-pair.sh", "down") }
        let proxy = try ProxyFixture.start(toml: Self.toml, replicas: 1)
        defer { proxy.stop() }

        let load = ClientLoad(clients: 3, connect: { try proxy.connect(user: "app", password: "", database: "postgres") },
                              statement: { client in "INSERT INTO failover_log (client) VALUES (\(client)) RETURNING inet_server_port()" })
        Thread.sleep(forTimeInterval: 1.0)
        try RoutingCluster.script("failover-pair.sh", "stop-primary")
        let crashed = Date()
        // Longer than primary_wait_timeout, so that some writes give up.
        Thread.sleep(forTimeInterval: Self.primaryWait + 1.5)
        // pg_ctl promote returns once it has seen the promotion done, which it polls for: the clock starts before.
        let promoted = Date()
        try RoutingCluster.script("failover-pair.sh", "promote")
        let promoteTook = Date().timeIntervalSince(promoted)
        var found: Date?
        while found == nil, Date() < promoted.addingTimeInterval(10) {
            if proxy.server.nodeStats().contains(where: { $0.name == "b" && $0.isPrimary }) { found = Date() }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 1.0)
        XCTAssertTrue(load.stop(), "a client hung")

        let entries = load.entries
        let detection = found.map { $0.timeIntervalSince(promoted) }
        let firstWrite = entries.first { $0.port == Self.replicaPort }?.at.timeIntervalSince(promoted)
        let failures = entries.filter(\.failed)
        print("failover: pg_ctl promote took \(String(format: "%.3f", promoteTook)) s; "
            + "the proxy saw the new primary \(detection.map { String(format: "%.3f", $0) } ?? "never") s after it began, "
            + "first write there after \(firstWrite.map { String(format: "%.3f", $0) } ?? "never") s; "
            + "\(entries.count - failures.count) writes, \(failures.count) failed")
        let detected = try XCTUnwrap(detection, "the promoted replica never became the primary")
        // Within two check intervals of the promotion (which ends before pg_ctl returns), plus a check's own time.
        XCTAssertLessThan(detected, promoteTook + 2 * Self.checkInterval + 0.3)
        XCTAssertEqual(entries.filter { $0.at > promoted && $0.port != nil }.map(\.port).allSatisfy { $0 == Self.replicaPort }, true,
                       "a write after the promotion went elsewhere")
        XCTAssertTrue(entries.contains { $0.port == Self.replicaPort }, "no write reached the new primary")
        XCTAssertTrue(entries.contains { $0.port == Self.primaryPort && $0.at < crashed }, "no write reached the first primary")
        XCTAssertTrue(failures.contains { $0.detail.contains("no primary available after waiting") },
                      "no write gave up with the primary_wait_timeout error: \(failures.map(\.detail))")
        XCTAssertLessThan(entries.map(\.took).max() ?? 0, Self.primaryWait + 2, "a write hung")
        // The new primary kept every write the proxy acknowledged after promoting it.
        let acknowledged = entries.filter { $0.port == Self.replicaPort }.count
        let stored = try PQConnection("host=127.0.0.1 port=\(Self.replicaPort) dbname=postgres user=postgres connect_timeout=5")
            .exec("SELECT count(*) FROM failover_log WHERE written_at > now() - interval '1 hour'").first.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThanOrEqual(stored, acknowledged)
    }
}
