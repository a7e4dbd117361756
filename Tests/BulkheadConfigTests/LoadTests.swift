// load(path:) reads files, reports I/O problems clearly, and accepts the shipped example configuration.

import Foundation
import XCTest
@testable import BulkheadConfig

final class LoadTests: XCTestCase {
    private var temporaryDirectory: URL?

    override func setUpWithError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        temporaryDirectory = directory
    }

    override func tearDownWithError() throws {
        if let temporaryDirectory { try FileManager.default.removeItem(at: temporaryDirectory) }
    }

    private func loadErrors(_ path: String) -> [ConfigError] {
        do {
            _ = try BulkheadConfig.load(path: path)
            XCTFail("expected an error for \(path)")
            return []
        } catch {
            return error.errors
        }
    }

    func testMissingFile() throws {
        let path = try XCTUnwrap(temporaryDirectory).appendingPathComponent("nope.toml").path
        let found = loadErrors(path)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.description, "\(path): cannot read the configuration: no such file")
        XCTAssertNil(found.first?.line)
    }

    func testDirectoryAndInvalidUTF8() throws {
        let directory = try XCTUnwrap(temporaryDirectory)
        XCTAssertEqual(loadErrors(directory.path).first?.message, "cannot read the configuration: it is a directory")
        let binary = directory.appendingPathComponent("binary.toml")
        try Data([0x61, 0x20, 0x3D, 0x20, 0xFF, 0xFE]).write(to: binary)
        XCTAssertEqual(loadErrors(binary.path).first?.message, "cannot read the configuration: it is not valid UTF-8")
    }

    func testLoadedFileErrorsNameThePath() throws {
        let file = try XCTUnwrap(temporaryDirectory).appendingPathComponent("bad.toml")
        try Data(("[proxy]\nworkers = -3\n" + Fixture.minimal).utf8).write(to: file)
        XCTAssertEqual(loadErrors(file.path).map(\.description), [
            "\(file.path):2: proxy.workers: must be between 0 and 1024, got -3",
        ])
    }

    /// The example shipped in config/ at the package root, found relative to this source file.
    private var examplePath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/bulkhead.toml").path
    }

    func testShippedExampleLoads() throws {
        let config: BulkheadConfig
        do {
            config = try BulkheadConfig.load(path: examplePath)
        } catch {
            return XCTFail("the example configuration must load:\n\(error)")
        }
        XCTAssertEqual(config.proxy.listen.description, "127.0.0.1:6432")
        XCTAssertEqual(config.proxy.adminUsers, ["admin"])
        XCTAssertEqual(config.nodes.map(\.name), ["primary", "replica1", "replica2"])
        XCTAssertEqual(config.nodes.map(\.port), [55432, 55433, 55434])
        XCTAssertEqual(config.nodes.map(\.role), [.primary, .replica, .replica])
        XCTAssertEqual(config.databases.map(\.name), ["docs", "docs_shared", "docs_by_schema", "bench"])

        let shared = try XCTUnwrap(config.database(named: "docs_shared"))
        XCTAssertEqual(shared.serverDatabase, "docs")
        XCTAssertEqual(shared.isolation, .shared)
        XCTAssertEqual(shared.tenantTables.count, 5)
        XCTAssertEqual(shared.tenantTables.last, TenantTable(schema: "app", table: "organizations", column: "id"))
        XCTAssertEqual(shared.tenantTables.first, TenantTable(schema: "app", table: "folders", column: "organization_id"))
        XCTAssertEqual(shared.globalTables, [TableName(schema: "public", table: "plans")])
        XCTAssertEqual(config.database(named: "docs")?.serverPassword, "postgres")
        XCTAssertEqual(config.database(named: "docs_by_schema")?.isolation, .schema)
        XCTAssertEqual(config.database(named: "bench")?.poolSize, 20)

        XCTAssertEqual(config.tenants.map(\.name), ["acme", "globex", "initech", "umbrella"])
        XCTAssertEqual(config.tenants.map(\.tenantID), [1, 2, nil, nil])
        XCTAssertEqual(config.tenants.map(\.schema), [nil, nil, "tenant_initech", "tenant_umbrella"])
        XCTAssertEqual(config.users.map(\.name), ["admin", "migrator", "bench", "app"])

        let acme = try XCTUnwrap(config.login(user: "acme_app", database: "docs_shared"))
        XCTAssertEqual(acme.tenant?.name, "acme")
        XCTAssertEqual(acme.user.password, "acme-secret")
        XCTAssertEqual(config.login(user: "app", database: "docs")?.user.password, "app-secret")
        XCTAssertNil(config.login(user: "app", database: "bench"))
        XCTAssertEqual(config.login(user: "bench", database: "bench")?.user.password, "bench")
        XCTAssertEqual(config.login(user: "umbrella_app", database: "docs_by_schema")?.tenant?.schema, "tenant_umbrella")
    }

    func testExampleWritesOutEveryKeyTheReaderKnows() throws {
        // Every documented key appears in the example, so removing one from the reader would make it fail to load.
        let text = try String(contentsOfFile: examplePath, encoding: .utf8)
        let keys = [
            "listen", "workers", "pool_mode", "max_client_connections", "admin_users", "auth_method",
            "auth_failure_delay", "max_message_length", "connect_timeout", "query_wait_timeout", "server_idle_timeout",
            "server_lifetime", "server_check_delay", "client_idle_timeout", "idle_transaction_timeout",
            "server_reset_query", "max_prepared_statements", "session_features", "health_check_interval",
            "max_replica_lag", "primary_wait_timeout", "log_level", "metrics_listen", "shutdown_timeout",
            "name", "host", "port", "role", "weight", "server_database", "server_user", "server_password", "pool_size",
            "min_pool_size", "reserve_pool_size", "isolation", "tenant_column", "tenant_tables", "global_tables",
            "allowed_functions", "read_write_split", "primary_reads", "consistency", "consistency_scope",
            "read_only_functions", "set_rls_setting", "database", "tenant_id", "schema", "server_role", "users",
            "password", "databases",
        ]
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        for key in keys {
            XCTAssertTrue(
                lines.contains { $0.range(of: "(^|[{,] *)\(key) = ", options: .regularExpression) != nil },
                "the example does not set \(key)"
            )
        }
    }
}
