// Session pooling end to end: reuse after reset, concurrency against a small pool, limits and timeouts.

import Foundation
import XCTest

final class SessionPoolingTests: XCTestCase {
    func testServerConnectionIsResetAndReused() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 1))
        defer { proxy.stop() }
        let pid: String?
        do {
            let first = try proxy.connect(extra: "application_name=first options='-c statement_timeout=4321'")
            pid = try first.exec("SELECT pg_backend_pid()").first
            XCTAssertEqual(try first.exec("SHOW statement_timeout").first, "4321ms")
            XCTAssertEqual(try first.exec("SHOW application_name").first, "first")
            try first.exec("SET work_mem = '7MB'")
            try first.exec("CREATE TEMP TABLE leftover(x int)")
        }
        // The pool has one connection, so the next client gets the same backend, clean.
        let second = try proxy.connect()
        XCTAssertEqual(try second.exec("SELECT pg_backend_pid()").first, pid)
        XCTAssertEqual(try second.exec("SHOW application_name").first, "")
        XCTAssertEqual(try second.exec("SHOW work_mem").first, "4MB")
        XCTAssertNotEqual(try second.exec("SHOW statement_timeout").first, "4321ms")
        XCTAssertThrowsError(try second.exec("SELECT * FROM leftover"))
    }

    func testTwoHundredConcurrentClientsShareAPoolOfTen() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 10, queryWaitTimeout: 60))
        defer { proxy.stop() }
        let pids = NSLock()
        nonisolated(unsafe) var seen = Set<String>()
        let conninfo = proxy.conninfo()
        let errors = concurrently(200) { index in
            let connection = try PQConnection(conninfo)
            for round in 0..<3 {
                let rows = try connection.exec("SELECT pg_backend_pid(), $1::int + $2::int", ["\(index)", "\(round)"])
                guard rows.rows.first?[1] == "\(index + round)" else { throw PQError(sqlState: nil, message: "wrong answer for client \(index)") }
                pids.lock(); seen.insert(rows.first ?? ""); pids.unlock()
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors.count) clients failed, first: \(errors.first.map { "\($0)" } ?? "")")
        XCTAssertLessThanOrEqual(seen.count, 10, "never more server connections than the pool size")
        let open = try Cluster.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = 'docs' AND usename = 'postgres' AND pid <> pg_backend_pid()")
        XCTAssertLessThanOrEqual(Int(open ?? "99") ?? 99, 10)
    }

    func testMaxClientConnectionsIsEnforcedWith53300() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(maxClients: 3))
        defer { proxy.stop() }
        let held = try (0..<3).map { _ in try proxy.connect() }
        XCTAssertThrowsError(try proxy.connect()) { error in
            XCTAssertTrue("\(error)".contains("sorry, too many clients already"), "\(error)")
        }
        _ = held
    }

    func testQueryWaitTimeoutNamesThePool() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 1, queryWaitTimeout: 1))
        defer { proxy.stop() }
        let holder = try proxy.connect()
        // The waiter logs in at once (the pool knows the server's parameters) and waits when it sends work.
        let waiter = try proxy.connect()
        let start = Date()
        XCTAssertThrowsError(try waiter.exec("SELECT 1")) { error in
            XCTAssertTrue("\(error)".contains("query_wait_timeout"), "\(error)")
            XCTAssertTrue("\(error)".contains("docs/postgres@primary"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        _ = holder
    }

    func testDeadServerConnectionGivesAnErrorAndIsReplaced() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 1))
        defer { proxy.stop() }
        let victim = try proxy.connect()
        let pid = try victim.exec("SELECT pg_backend_pid()").first ?? ""
        try Cluster.scalar("SELECT pg_terminate_backend(\(pid))")
        XCTAssertThrowsError(try victim.exec("SELECT 1"), "the client gets an error, not a hang")
        let next = try proxy.connect()
        let newPID = try next.exec("SELECT pg_backend_pid()").first
        XCTAssertNotNil(newPID)
        XCTAssertNotEqual(newPID, pid)
    }

    func testKilledClientLeavesNoServerConnectionIdleInTransaction() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 2))
        defer { proxy.stop() }
        try Cluster.scalar("CREATE TABLE IF NOT EXISTS bulkhead_it_killed(id int primary key, n int)")
        try Cluster.scalar("INSERT INTO bulkhead_it_killed VALUES (1, 0) ON CONFLICT DO NOTHING")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        var env = proxy.environment()
        env["PGAPPNAME"] = "it_killed"
        process.environment = env
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data("BEGIN;\nUPDATE bulkhead_it_killed SET n = n + 1 WHERE id = 1;\n".utf8))
        // Wait until the server shows the transaction open, then kill the client without a goodbye.
        var open = false
        for _ in 0..<100 where !open {
            open = try Cluster.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'it_killed' AND state = 'idle in transaction'") == "1"
            if !open { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(open, "psql's transaction never showed up")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        var stuck = "1"
        for _ in 0..<60 where stuck != "0" {
            Thread.sleep(forTimeInterval: 0.05)
            stuck = try Cluster.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = 'docs' AND state LIKE 'idle in transaction%'") ?? "1"
        }
        XCTAssertEqual(stuck, "0", "a server connection was left idle in transaction")
        // The row lock is gone too: an update does not block.
        XCTAssertEqual(try proxy.connect().exec("UPDATE bulkhead_it_killed SET n = n + 1 WHERE id = 1").command, "UPDATE 1")
    }
}
