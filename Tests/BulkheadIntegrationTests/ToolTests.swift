// psql scripts and pgbench runs through the proxy, as a user would run them.

import Foundation
import XCTest

final class ToolTests: XCTestCase {
    func testPsqlScript() throws {
        let proxy = try ProxyFixture.start()
        defer { proxy.stop() }
        let script = """
            \\set ON_ERROR_STOP 0
            SELECT 'hello' AS greeting;
            BEGIN;
            CREATE TEMP TABLE notes(id serial, body text);
            INSERT INTO notes(body) VALUES ('a'), ('b'), ('c');
            SAVEPOINT s1;
            SELECT 1/0;
            ROLLBACK TO SAVEPOINT s1;
            SELECT string_agg(body, ',' ORDER BY id) FROM notes;
            COMMIT;
            SELECT 1; SELECT 2; SELECT 3;
            \\copy (SELECT id, body FROM notes ORDER BY id) TO STDOUT
            SELECT title FROM app.documents WHERE organization_id = 1 ORDER BY id LIMIT 1;
            SELECT count(*) FROM app.documents WHERE organization_id = 1 \\gset
            \\echo documents :count
            """
        let (status, output) = try runCommand(["psql", "-X", "-A", "-t", "-f", "-"], environment: proxy.environment(), input: script)
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("hello"), output)
        XCTAssertTrue(output.contains("division by zero"), output)
        XCTAssertTrue(lines.contains("a,b,c"), output)
        XCTAssertTrue(lines.contains("1\ta") && lines.contains("3\tc"), output)
        XCTAssertTrue(lines.contains("documents 20"), output)
    }

    /// psql's describe commands read the catalogs through the tenant gate (pg_class through its estimate-free
    /// projection, psql's catalog helper functions through the allowlist), in both layouts.
    func testPsqlDescribeCommandsWorkForTenants() throws {
        let proxy = try ProxyFixture.start()
        defer { proxy.stop() }
        for tenant in [TenantLogin.initech, TenantLogin.acme] {
            let documents = tenant.isShared ? "app.documents" : "documents"
            let script = """
                \\set ON_ERROR_STOP 1
                \\d \(documents)
                \\d+ \(tenant.isShared ? "app.folders" : "folders")
                \\d
                \\dt
                \\di
                \\dn
                \\dx
                \\du
                \\l
                SELECT 'described' || count(*) FROM pg_class WHERE relname = 'documents' AND reltuples = -1;
                """
            let (status, output) = try runCommand(["psql", "-X", "-f", "-"],
                                                  environment: proxy.environment(user: tenant.user, password: tenant.password,
                                                                                  database: tenant.database),
                                                  input: script)
            XCTAssertEqual(status, 0, "\(tenant): \(output)")
            XCTAssertTrue(output.contains("Table \"\(tenant.isShared ? "app" : "tenant_initech").documents\""), output)
            XCTAssertTrue(output.contains("Foreign-key constraints:") && output.contains("Referenced by:"), output)
            XCTAssertTrue(output.contains("described"), output)
            XCTAssertFalse(output.contains("ERROR"), output)
        }
    }

    /// Creates the pgbench database on first use (directly on the primary).
    private func ensureBenchDatabase() throws {
        if try Cluster.scalar("SELECT count(*) FROM pg_database WHERE datname = 'bench_it'", database: "postgres") == "0" {
            try Cluster.scalar("CREATE DATABASE bench_it", database: "postgres")
        }
    }

    private func pgbench(_ arguments: [String], proxy: ProxyFixture) throws -> String {
        let (status, output) = try runCommand(["pgbench"] + arguments + ["bench_it"], environment: proxy.environment(database: "bench_it"))
        XCTAssertEqual(status, 0, output)
        return output
    }

    func testPgbenchInitThenSimpleAndExtendedRunsWithoutFailures() throws {
        try ensureBenchDatabase()
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 10))
        defer { proxy.stop() }
        let initialized = try pgbench(["-i", "-s", "1", "-q"], proxy: proxy)
        XCTAssertTrue(initialized.contains("done"), initialized)
        for mode in ["simple", "extended"] {
            let output = try pgbench(["-M", mode, "-c", "8", "-j", "2", "-T", "10"], proxy: proxy)
            XCTAssertTrue(output.contains("number of failed transactions: 0 (0.000%)"), output)
            let processed = output.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed") }
            let count = processed.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            XCTAssertGreaterThan(count, 1000, output)
        }
    }
}
