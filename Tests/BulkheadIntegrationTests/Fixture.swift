// Starts an in-process Bulkhead in front of the local cluster (deploy/local/cluster.sh) for end-to-end tests.

import BulkheadConfig
import BulkheadProxy
import Foundation
import Logging
import XCTest

/// Facts about the local development cluster.
enum Cluster {
    static let host = "127.0.0.1"
    static let primaryPort = Int(ProcessInfo.processInfo.environment["BULKHEAD_PRIMARY_PORT"] ?? "") ?? 55432

    /// A libpq connection string straight to the primary, bypassing the proxy.
    static func direct(database: String = "docs", user: String = "postgres", password: String = "postgres") -> String {
        "host=\(host) port=\(primaryPort) dbname=\(database) user=\(user) password=\(password) connect_timeout=5"
    }

    /// Fails the test, rather than skipping it, when the cluster is not running: CI must run these tests.
    static func requireUp(file: StaticString = #filePath, line: UInt = #line) throws {
        do {
            _ = try PQConnection(direct())
        } catch {
            XCTFail("the local cluster is not reachable on \(host):\(primaryPort) (\(error)); start it with deploy/local/cluster.sh up", file: file, line: line)
            throw error
        }
    }

    /// Runs SQL directly on the primary and returns the first column of the first row.
    @discardableResult
    static func scalar(_ sql: String, database: String = "docs") throws -> String? {
        try PQConnection(direct(database: database)).exec(sql).first
    }
}

/// Options for the test configuration.
struct ProxyOptions {
    var poolMode = "session"
    var poolSize = 10
    var maxClients = 10_000
    var queryWaitTimeout = 30.0
    var authFailureDelay = 0.2
    var extraProxy = ""
}

/// A Bulkhead listening on an ephemeral loopback port, configured from TOML like a real deployment.
final class ProxyFixture: @unchecked Sendable {
    let server: ProxyServer
    let port: Int

    init(server: ProxyServer, port: Int) {
        self.server = server
        self.port = port
    }

    static func toml(_ options: ProxyOptions) -> String {
        """
        [proxy]
        listen = "127.0.0.1:0"
        pool_mode = "\(options.poolMode)"
        max_client_connections = \(options.maxClients)
        auth_failure_delay = \(options.authFailureDelay)
        query_wait_timeout = \(options.queryWaitTimeout)
        connect_timeout = 5
        log_level = "warning"
        \(options.extraProxy)

        [[nodes]]
        name = "primary"
        host = "\(Cluster.host)"
        port = \(Cluster.primaryPort)
        role = "primary"

        [[databases]]
        name = "docs"
        server_user = "postgres"
        server_password = "postgres"
        pool_size = \(options.poolSize)

        [[databases]]
        name = "bench_it"
        server_user = "postgres"
        server_password = "postgres"
        pool_size = \(options.poolSize)

        [[databases]]
        name = "docs_md5"
        server_database = "docs"
        server_user = "bh_md5"
        server_password = "md5pass"
        pool_size = 2

        [[databases]]
        name = "docs_clear"
        server_database = "docs"
        server_user = "bh_clear"
        server_password = "clearpass"
        pool_size = 2

        [[databases]]
        name = "docs_trust"
        server_database = "docs"
        server_user = "bh_trust"
        pool_size = 2

        [[databases]]
        name = "docs_scram"
        server_database = "docs"
        server_user = "bh_scram"
        server_password = "scrampass"
        pool_size = 2

        [[databases]]
        name = "docs_shared"
        server_database = "docs"
        server_user = "postgres"
        server_password = "postgres"
        isolation = "shared"
        pool_size = \(options.poolSize)
        tenant_tables = ["app.folders", "app.documents", "app.document_versions", "auth.users", "app.organizations(id)"]
        global_tables = ["public.plans"]

        [[databases]]
        name = "docs_by_schema"
        server_database = "docs"
        server_user = "postgres"
        server_password = "postgres"
        isolation = "schema"
        pool_size = \(options.poolSize)

        [[tenants]]
        name = "acme"
        database = "docs_shared"
        tenant_id = 1
        users = [{ name = "acme_app", password = "acme-secret" }]

        [[tenants]]
        name = "globex"
        database = "docs_shared"
        tenant_id = 2
        users = [{ name = "globex_app", password = "globex-secret" }]

        [[tenants]]
        name = "initech"
        database = "docs_by_schema"
        schema = "tenant_initech"
        users = [{ name = "initech_app", password = "initech-secret" }]

        [[tenants]]
        name = "umbrella"
        database = "docs_by_schema"
        schema = "tenant_umbrella"
        server_role = "tenant_umbrella"
        users = [{ name = "umbrella_app", password = "umbrella-secret" }]

        [[users]]
        name = "app"
        password = "app-secret"

        [[users]]
        name = "md5user"
        password = "md5-secret"
        auth_method = "md5"

        [[users]]
        name = "trustuser"
        auth_method = "trust"

        [[users]]
        name = "hashed"
        password = "\(hashedVerifier)"
        """
    }

    /// A verifier as `bulkhead hash-password` prints it, for the password "hashed-secret".
    static let hashedVerifier = "SCRAM-SHA-256$4096:OuNXaw8qi6CztEDKcbxMdA==$5JhPtkDfMI+gmxGuS/yxa8J1MYzV7+riHSCiSHpSaeM=:dOCjLv3IfVDNPU8vUhWsMsMCnfqncDjwuiCMoPPztb8="

    /// Synchronous on purpose: XCTest on Linux busy-waits on the main thread during async tests, stealing a core.
    static func start(_ options: ProxyOptions = ProxyOptions()) throws -> ProxyFixture {
        try Cluster.requireUp()
        let config = try BulkheadConfig.parse(toml(options), file: "test.toml")
        var logger = Logger(label: "bulkhead-test")
        logger.logLevel = .warning
        let server = try ProxyServer.startBlocking(plan: ProxyPlan(config: config), logger: logger)
        guard let port = server.localAddress?.port else { throw PQError(sqlState: nil, message: "proxy did not bind") }
        return ProxyFixture(server: server, port: port)
    }

    func conninfo(user: String = "app", password: String = "app-secret", database: String = "docs", extra: String = "") -> String {
        "host=127.0.0.1 port=\(port) dbname=\(database) user=\(user) password=\(password) connect_timeout=10 \(extra)"
    }

    func connect(user: String = "app", password: String = "app-secret", database: String = "docs", extra: String = "") throws -> PQConnection {
        try PQConnection(conninfo(user: user, password: password, database: database, extra: extra))
    }

    /// The environment that points psql and pgbench at the proxy.
    func environment(user: String = "app", password: String = "app-secret", database: String = "docs") -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = "127.0.0.1"
        env["PGPORT"] = "\(port)"
        env["PGUSER"] = user
        env["PGPASSWORD"] = password
        env["PGDATABASE"] = database
        return env
    }

    private let stopped = NSLock()
    private var isStopped = false

    /// Shuts the proxy down; later calls do nothing, so a test may stop it early and still `defer` this.
    func stop() {
        let first = stopped.withLock { () -> Bool in
            defer { isStopped = true }
            return !isStopped
        }
        if first { try? server.shutdownBlocking() }
    }
}

/// Runs `body` on `count` threads at once and collects the errors.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
    let errors = NSLock()
    nonisolated(unsafe) var collected: [any Error] = []
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            do { try body(index) } catch {
                errors.lock(); collected.append(error); errors.unlock()
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    return collected
}
