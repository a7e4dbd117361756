// Transaction pooling end to end: prepared statements across shared connections, settings that follow the client, pinning.

import Foundation
import XCTest

final class TransactionPoolingTests: XCTestCase {
    nonisolated(unsafe) var proxy: ProxyFixture!

    override func setUpWithError() throws {
        proxy = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 10, queryWaitTimeout: 60))
    }
    override func tearDown() { proxy?.stop() }

    func testSettingsFollowEachClientAcrossSharedConnections() throws {
        let conninfo = proxy.conninfo()
        let clients = 200, transactions = 500
        let errors = concurrently(clients) { client in
            var generator = SystemRandomNumberGenerator()
            let connection = try PQConnection(conninfo)
            let initial = try connection.exec("SELECT current_setting('TimeZone'), current_setting('search_path')").rows.first ?? []
            var timeZone = initial.first.flatMap { $0 } ?? "", application = "", searchPath = initial.last.flatMap { $0 } ?? ""
            for step in 0..<transactions {
                switch Int.random(in: 0..<10, using: &generator) {
                case 0:
                    timeZone = "Etc/GMT+\(Int.random(in: 1...11, using: &generator))"
                    try connection.exec("SET TimeZone = '\(timeZone)'")
                case 1:
                    application = "client-\(client)-\(step)"
                    try connection.exec("SET application_name = '\(application)'")
                case 2:
                    searchPath = "app, auth"
                    try connection.exec("SET search_path = app, auth")
                case 3:
                    searchPath = "public"
                    try connection.exec("BEGIN; SET search_path = public; COMMIT")
                case 4:
                    // set_config(..., false) is a SET by another name, also when its name is spelled with escapes.
                    timeZone = "Etc/GMT-\(Int.random(in: 1...11, using: &generator))"
                    try connection.exec("SELECT set_config('TimeZone', '\(timeZone)', false)")
                case 5:
                    application = "escaped-\(client)-\(step)"
                    try connection.exec("SELECT U&\"set\\005fconfig\"('application_name', '\(application)', false)")
                case 6:
                    // Transaction-scoped: nothing to follow the client.
                    try connection.exec("BEGIN; SELECT set_config('TimeZone', 'Etc/GMT+12', true); COMMIT")
                default:
                    break
                }
                let row = try connection.exec("SELECT current_setting('TimeZone'), current_setting('application_name'), current_setting('search_path')").rows.first
                guard row == [timeZone, application, searchPath] else {
                    throw PQError(sqlState: nil, message: "client \(client) step \(step): expected \([timeZone, application, searchPath]), saw \(row ?? [])")
                }
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors.count) clients saw cross-talk; first: \(errors.first.map { "\($0)" } ?? "")")
    }

    func testPreparedStatementsWorkAcrossSharedConnections() throws {
        let conninfo = proxy.conninfo()
        let errors = concurrently(50) { client in
            let connection = try PQConnection(conninfo)
            try connection.prepare("docs_by_org", "SELECT count(*) FROM app.documents WHERE organization_id = $1")
            try connection.prepare("mine_\(client)", "SELECT $1::int * 2")
            for round in 0..<40 {
                guard try connection.execPrepared("docs_by_org", ["1"]).first == "20" else { throw PQError(sqlState: nil, message: "wrong count") }
                guard try connection.execPrepared("mine_\(client)", ["\(round)"]).first == "\(round * 2)" else {
                    throw PQError(sqlState: nil, message: "wrong answer")
                }
            }
            XCTAssertThrowsError(try connection.execPrepared("never_prepared", []))
            try connection.exec("DEALLOCATE ALL")
            XCTAssertThrowsError(try connection.execPrepared("docs_by_org", ["1"]))
        }
        XCTAssertTrue(errors.isEmpty, "\(errors.count) clients failed; first: \(errors.first.map { "\($0)" } ?? "")")
    }

    /// Creates and fills the pgbench database on first use.
    private func ensureBenchDatabase() throws {
        if try Cluster.scalar("SELECT count(*) FROM pg_database WHERE datname = 'bench_it'", database: "postgres") == "0" {
            try Cluster.scalar("CREATE DATABASE bench_it", database: "postgres")
            _ = try runCommand(["pgbench", "-i", "-s", "1", "-q", "bench_it"], environment: proxy.environment(database: "bench_it"))
        }
    }

    func testPgbenchPreparedModeRuns() throws {
        try ensureBenchDatabase()
        let (status, output) = try runCommand(["pgbench", "-M", "prepared", "-S", "-c", "20", "-j", "2", "-T", "5", "bench_it"],
                                              environment: proxy.environment(database: "bench_it"))
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("number of failed transactions: 0 (0.000%)"), output)
    }

    /// pgbench prepares a client's script synchronously while its thread's other clients sit in open
    /// transactions holding every server connection. Those Parses must not wait for a connection: before the
    /// proxy answered Parses of known statements itself, this run hung until query_wait_timeout.
    func testPgbenchPreparedTransactionsWithThreeClientsPerConnection() throws {
        try ensureBenchDatabase()
        let small = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 4, queryWaitTimeout: 20))
        defer { small.stop() }
        let (status, output) = try runCommand(["timeout", "60", "pgbench", "-M", "prepared", "-c", "12", "-j", "2", "-T", "5",
                                               "bench_it"], environment: small.environment(database: "bench_it"))
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("number of failed transactions: 0 (0.000%)"), output)
        let processed = output.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed") }
        XCTAssertGreaterThan(processed.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0, 100, output)
    }

    /// asyncpg with its default statement cache and psycopg with prepare_threshold=0 (tests/drivers).
    func testRealDriversWithServerSidePreparedStatements() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/drivers/prepared_statements.py").path
        let (status, output) = try runCommand(["python3", script, "127.0.0.1", "\(proxy.port)", "app", "app-secret", "docs"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("drivers ok"), output)
    }

    /// 5,000 clients connecting at once: each is served or cleanly refused, and the pool never grows past its size.
    func testConnectionStormIsServedWithinThePoolLimits() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/drivers/storm.py").path
        let (status, output) = try runCommand(["python3", script, "\(proxy.port)", "trustuser", "docs", "5000"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("broken 0"), output)
        let served = output.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThan(served, 0, output)
        XCTAssertLessThanOrEqual(proxy.server.poolStats().values.map { $0.idle + $0.leased }.reduce(0, +), 10)
        let open = try Cluster.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = 'docs' AND usename = 'postgres' AND pid <> pg_backend_pid()")
        XCTAssertLessThanOrEqual(Int(open ?? "99") ?? 99, 10, "no server connections beyond pool_size")
    }

    func testTemporaryTablePinsTheConnectionToItsClient() throws {
        do {
            let connection = try proxy.connect()
            XCTAssertEqual(proxy.server.pinnedClientCount, 0)
            try connection.exec("CREATE TEMP TABLE scratch(x int)")
            XCTAssertEqual(proxy.server.pinnedClientCount, 1, "pinning shows in the stats")
            try connection.exec("INSERT INTO scratch VALUES (1), (2)")
            // Other clients keep the pool busy; the pinned client still finds its temp table every time.
            let conninfo = proxy.conninfo()
            let errors = concurrently(20) { _ in
                let other = try PQConnection(conninfo)
                for _ in 0..<20 { try other.exec("SELECT pg_backend_pid()") }
            }
            XCTAssertTrue(errors.isEmpty)
            for _ in 0..<20 { XCTAssertEqual(try connection.exec("SELECT count(*) FROM scratch").first, "2") }
            XCTAssertEqual(proxy.server.pinnedClientCount, 1, "the other clients pinned nothing")
        }
        // The connection is closed on leaving the block: a pinned client that leaves is no longer counted.
        let deadline = Date().addingTimeInterval(5)
        while proxy.server.pinnedClientCount != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(proxy.server.pinnedClientCount, 0)
    }

    /// A pin lasts as long as what pinned: when the client unlocks, unlistens, drops its temporary table, closes
    /// its held cursor or rolls back what created one, the server confirms nothing is left and the pin is lifted.
    func testPinIsLiftedOnceTheSessionStateIsGone() throws {
        let connection = try proxy.connect()
        func waitForPinned(_ expected: Int, after sql: String, file: StaticString = #filePath, line: UInt = #line) {
            // The check runs after the client's ReadyForQuery, so its answer may come a moment later.
            let deadline = Date().addingTimeInterval(5)
            while proxy.server.pinnedClientCount != expected, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            XCTAssertEqual(proxy.server.pinnedClientCount, expected, "after \(sql)", file: file, line: line)
        }
        let pairs = [
            (["SELECT pg_advisory_lock(4242)"], ["SELECT pg_advisory_unlock(4242)"]),
            (["LISTEN bulkhead_pin_test"], ["UNLISTEN bulkhead_pin_test"]),
            (["CREATE TEMP TABLE pin_scratch(x int)", "INSERT INTO pin_scratch VALUES (1)"], ["DROP TABLE pin_scratch"]),
            (["DECLARE held CURSOR WITH HOLD FOR SELECT 1"], ["CLOSE held"]),
            (["BEGIN", "CREATE TEMP TABLE pin_rolled_back(x int)"], ["ROLLBACK"]),
        ]
        for (pin, release) in pairs {
            for sql in pin { try connection.exec(sql) }
            waitForPinned(1, after: pin.joined(separator: "; "))
            for sql in release { try connection.exec(sql) }
            waitForPinned(0, after: release.joined(separator: "; "))
        }
        // Two locks, one released: something is left, so the pin stays.
        try connection.exec("SELECT pg_advisory_lock(1), pg_advisory_lock(2)")
        try connection.exec("SELECT pg_advisory_unlock(1)")
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(proxy.server.pinnedClientCount, 1, "one lock is still held")
        try connection.exec("SELECT pg_advisory_unlock_all()")
        waitForPinned(0, after: "pg_advisory_unlock_all()")
        XCTAssertEqual(try connection.exec("SELECT 1").first, "1", "the client goes on, pooled again")
    }
}

/// `session_features = "reject"` under transaction pooling, against the real server.
final class RejectSessionFeaturesTests: XCTestCase {
    func testSessionStateIsRefusedWithTheServersOwnTransactionSemantics() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 2, extraProxy: "session_features = \"reject\""))
        defer { proxy.stop() }
        let connection = try proxy.connect()
        XCTAssertThrowsError(try connection.exec("CREATE TEMP TABLE t(x int)")) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "0A000", "\(error)")
            XCTAssertTrue("\(error)".contains("session_features = reject"), "\(error)")
        }
        XCTAssertEqual(try connection.exec("SELECT 1").first, "1", "the session stays usable")
        try connection.exec("BEGIN")
        XCTAssertThrowsError(try connection.exec("SELECT pg_advisory_lock(42)"))
        XCTAssertThrowsError(try connection.exec("SELECT 1")) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "25P02", "the refusal failed the transaction: \(error)")
        }
        try connection.exec("ROLLBACK")
        XCTAssertThrowsError(try connection.exec("LISTEN ch", [])) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "0A000", "extended protocol: \(error)")
        }
        XCTAssertEqual(try connection.exec("SELECT $1::int", ["7"]).first, "7")
    }
}
