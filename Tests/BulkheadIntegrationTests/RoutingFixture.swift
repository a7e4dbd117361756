// A Bulkhead routing over the local cluster's primary and two replicas, and the means to disturb those nodes.

import BulkheadConfig
import BulkheadProxy
import BulkheadRouting
import Foundation
import Logging
import XCTest

/// The local cluster's nodes as routing tests see them.
enum RoutingCluster {
    static let replica1Port = Cluster.primaryPort + 1
    static let replica2Port = Cluster.primaryPort + 2
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func direct(port: Int, database: String = "docs") -> String {
        "host=\(Cluster.host) port=\(port) dbname=\(database) user=postgres password=postgres connect_timeout=5"
    }

    /// Runs a deploy/local script command, failing the test with its output if it fails.
    static func script(_ name: String, _ arguments: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let path = repository.appendingPathComponent("deploy/local/\(name)").path
        let (status, output) = try runCommand(["bash", path] + arguments)
        guard status == 0 else {
            XCTFail("\(name) \(arguments.joined(separator: " ")) failed: \(output)", file: file, line: line)
            throw PQError(sqlState: nil, message: output)
        }
    }

    /// Slows a replica's replay (ALTER SYSTEM works on a hot standby), or restores it with nil.
    static func setApplyDelay(_ delay: String?, port: Int) throws {
        let connection = try PQConnection(direct(port: port, database: "postgres"))
        if let delay {
            try connection.exec("ALTER SYSTEM SET recovery_min_apply_delay = '\(delay)'")
        } else {
            try connection.exec("ALTER SYSTEM RESET recovery_min_apply_delay")
        }
        try connection.exec("SELECT pg_reload_conf()")
    }

    /// Committed transactions of `database` on the node, from pg_stat_database (which a hot standby keeps too).
    static func committed(port: Int, database: String) throws -> Int {
        let connection = try PQConnection(direct(port: port, database: "postgres"))
        // The statistics collector flushes at most every 500 ms; ask for fresh numbers.
        try connection.exec("SELECT pg_stat_clear_snapshot()")
        return Int(try connection.exec("SELECT xact_commit FROM pg_stat_database WHERE datname = '\(database)'").first ?? "") ?? -1
    }

    /// The primary's flush and insert positions and each replica's replay position, for failure messages.
    static func walPositions() -> String {
        let primary = (try? PQConnection(Cluster.direct(database: "postgres"))
            .exec("SELECT pg_current_wal_flush_lsn()::text || ' / ' || pg_current_wal_insert_lsn()::text").first) ?? nil
        let replicas = [replica1Port, replica2Port].map { port in
            ((try? PQConnection(direct(port: port, database: "postgres")).exec("SELECT pg_last_wal_replay_lsn()::text").first) ?? nil) ?? "?"
        }
        return "primary flush / insert \(primary ?? "?"), replicas replayed \(replicas.joined(separator: ", "))"
    }

    /// Waits until every replica has replayed everything the primary has written so far.
    static func waitForReplicas(timeout: TimeInterval = 30) throws {
        let target = try PQConnection(Cluster.direct(database: "postgres")).exec("SELECT pg_current_wal_lsn()").first ?? "0/0"
        let deadline = Date().addingTimeInterval(timeout)
        for port in [replica1Port, replica2Port] {
            let replica = try PQConnection(direct(port: port, database: "postgres"))
            while try replica.exec("SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn").first != "t" {
                guard Date() < deadline else { throw PQError(sqlState: nil, message: "replica on \(port) did not catch up") }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }
}

extension ProxyFixture {
    /// Nodes of the local cluster, all `auto`, for a routing proxy.
    static let clusterNodes = """
        [[nodes]]
        name = "primary"
        host = "\(Cluster.host)"
        port = \(Cluster.primaryPort)
        role = "auto"

        [[nodes]]
        name = "replica1"
        host = "\(Cluster.host)"
        port = \(RoutingCluster.replica1Port)
        role = "auto"

        [[nodes]]
        name = "replica2"
        host = "\(Cluster.host)"
        port = \(RoutingCluster.replica2Port)
        role = "auto"
        """

    /// A routing proxy over the local cluster: databases bench_it, docs and docs_by_schema (tenant initech,
    /// schema mode, tenant-scoped read-your-writes), and the trusted user app.
    static func routingTOML(poolMode: String, checkInterval: Double) -> String {
        """
        [proxy]
        listen = "127.0.0.1:0"
        pool_mode = "\(poolMode)"
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
    }

    /// A proxy from a whole TOML configuration, waiting until routing has found a primary and `replicas` replicas.
    static func start(toml: String, replicas: Int) throws -> ProxyFixture {
        let config = try BulkheadConfig.parse(toml, file: "routing-test.toml")
        var logger = Logger(label: "bulkhead-routing-test")
        logger.logLevel = .warning
        let server = try ProxyServer.startBlocking(plan: ProxyPlan(config: config), logger: logger)
        guard let port = server.localAddress?.port else { throw PQError(sqlState: nil, message: "proxy did not bind") }
        let fixture = ProxyFixture(server: server, port: port)
        try fixture.waitForNodes(replicas: replicas)
        return fixture
    }

    /// Waits until the health checks show a primary and at least `replicas` replicas in rotation.
    func waitForNodes(replicas: Int, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let stats = server.nodeStats()
            if stats.contains(where: \.isPrimary), stats.filter(\.inRotation).count >= replicas { return }
            guard Date() < deadline else { throw PQError(sqlState: nil, message: "routing did not see the nodes: \(stats)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Each node's status and lag as routing sees them, for failure messages.
    func nodeSummary() -> String {
        server.nodeStats().map { "\($0.name) \($0.status) lag \($0.lagSeconds.map { "\($0)" } ?? "-") reads \($0.readsRouted)" }
            .joined(separator: ", ") + "; WAL " + RoutingCluster.walPositions()
    }

    /// Reads routed to each node so far, by node name.
    func readsRouted() -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: server.nodeStats().map { ($0.name, $0.readsRouted) })
    }
}
