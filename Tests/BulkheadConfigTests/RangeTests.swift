// Numeric keys outside their range are rejected with the bounds and the value in the message.

import XCTest
@testable import BulkheadConfig

final class RangeTests: XCTestCase {
    func testPoolSizeMessageMatchesTheDocumentedFormat() throws {
        let text = Fixture.nodes + """
            [[databases]]
            name = "app"
            server_user = "postgres"
            pool_size = 0
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.description, "test.toml:8: databases[0].pool_size: must be between 1 and 10000, got 0")
    }

    func testProxyIntegerRanges() {
        let cases: [(key: String, bad: String, message: String)] = [
            ("workers", "-1", "must be between 0 and 1024, got -1"),
            ("max_client_connections", "0", "must be between 1 and 1000000, got 0"),
            ("max_client_connections", "1000001", "must be between 1 and 1000000, got 1000001"),
            ("max_message_length", "1023", "must be between 1024 and 1073741824, got 1023"),
            ("max_message_length", "1073741825", "must be between 1024 and 1073741824, got 1073741825"),
            ("max_prepared_statements", "100001", "must be between 0 and 100000, got 100001"),
        ]
        for (key, bad, message) in cases {
            let error = singleError("[proxy]\n\(key) = \(bad)\n" + Fixture.minimal)
            XCTAssertEqual(error?.key, "proxy.\(key)")
            XCTAssertEqual(error?.line, 2)
            XCTAssertEqual(error?.message, message)
        }
    }

    func testProxyDurationRanges() {
        let cases: [(key: String, bad: String, message: String)] = [
            ("auth_failure_delay", "10.5", "must be between 0 and 10 seconds, got 10.5"),
            ("auth_failure_delay", "-0.25", "must be between 0 and 10 seconds, got -0.25"),
            ("connect_timeout", "0", "must be more than 0 and at most 31536000 seconds, got 0"),
            ("health_check_interval", "0.0", "must be more than 0 and at most 31536000 seconds, got 0"),
            ("query_wait_timeout", "-1", "must be between 0 and 31536000 seconds, got -1"),
            ("shutdown_timeout", "31536001", "must be between 0 and 31536000 seconds, got 31536001"),
            ("server_lifetime", "inf", "must be a finite number of seconds"),
            ("max_replica_lag", "nan", "must be a finite number of seconds"),
        ]
        for (key, bad, message) in cases {
            let error = singleError("[proxy]\n\(key) = \(bad)\n" + Fixture.minimal)
            XCTAssertEqual(error?.key, "proxy.\(key)")
            XCTAssertEqual(error?.message, message)
        }
    }

    func testZeroMeansOffWhereDocumented() throws {
        let text = """
            [proxy]
            query_wait_timeout = 0
            client_idle_timeout = 0
            idle_transaction_timeout = 0
            server_check_delay = 0
            primary_wait_timeout = 0
            shutdown_timeout = 0
            workers = 0
            max_prepared_statements = 0

            """ + Fixture.minimal
        XCTAssertNotNil(parse(text))
    }

    func testNodeRanges() {
        let base = Fixture.database + "[[nodes]]\nname = \"n\"\nhost = \"h\"\nrole = \"replica\"\n"
        XCTAssertEqual(singleError(base + "port = 0\n")?.message, "must be between 1 and 65535, got 0")
        XCTAssertEqual(singleError(base + "port = 65536\n")?.message, "must be between 1 and 65535, got 65536")
        XCTAssertEqual(singleError(base + "weight = 1001\n")?.message, "must be between 0 and 1000, got 1001")
        XCTAssertEqual(singleError(base + "weight = -1\n")?.key, "nodes[0].weight")
        XCTAssertNotNil(parse(base + "weight = 0\nport = 65535\n"))
    }

    func testDatabaseRanges() {
        let base = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\n"
        XCTAssertEqual(singleError(base + "pool_size = 10001\n")?.message, "must be between 1 and 10000, got 10001")
        XCTAssertEqual(singleError(base + "reserve_pool_size = -1\n")?.key, "databases[0].reserve_pool_size")
        XCTAssertEqual(singleError(base + "max_prepared_statements = -1\n")?.key, "databases[0].max_prepared_statements")
        XCTAssertEqual(singleError(base + "query_wait_timeout = -1\n")?.key, "databases[0].query_wait_timeout")
    }

    func testMinPoolSizeMayNotExceedPoolSize() throws {
        let base = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\npool_size = 5\n"
        let error = try XCTUnwrap(singleError(base + "min_pool_size = 6\n"))
        XCTAssertEqual(error.key, "databases[0].min_pool_size")
        XCTAssertEqual(error.message, "must not exceed pool_size (5), got 6")
        XCTAssertEqual(error.line, 9)
        XCTAssertEqual(parse(base + "min_pool_size = 5\n")?.databases.first?.minPoolSize, 5)
    }

    func testTenantIDAcceptsTheWholeInt64Range() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "t"
            database = "shared_db"
            tenant_id = -9223372036854775808
            users = [{ name = "u", password = "pw" }]
            """
        XCTAssertEqual(parse(text)?.tenants.first?.tenantID, Int64.min)
    }
}
