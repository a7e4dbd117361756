// Every enumerated key rejects values outside its set, naming the allowed ones.

import XCTest
@testable import BulkheadConfig

final class EnumValidationTests: XCTestCase {
    /// A document placing `key = "bogus"` in each kind of table, and the full key the error must name.
    private func cases(_ key: String) -> [(text: String, path: String)] {
        [
            ("[proxy]\n\(key) = \"bogus\"\n" + Fixture.minimal, "proxy.\(key)"),
            (Fixture.minimal + "[[users]]\nname = \"u\"\npassword = \"pw\"\n\(key) = \"bogus\"\n", "users[0].\(key)"),
            (
                Fixture.nodes + Fixture.tenantDatabases
                    + "[[tenants]]\nname = \"t\"\ndatabase = \"schema_db\"\n"
                    + "users = [{ name = \"u\", password = \"pw\", \(key) = \"bogus\" }]\n",
                "tenants[0].users[0].\(key)"
            ),
        ]
    }

    private func assertRejected(
        _ text: String, path: String, allowed: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let error = singleError(text, file: file, line: line) else { return }
        XCTAssertEqual(error.key, path, file: file, line: line)
        XCTAssertEqual(error.line, lineNumber(of: "\"bogus\"", in: text), file: file, line: line)
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        XCTAssertEqual(error.message, "must be one of \(list), got \"bogus\"", file: file, line: line)
    }

    func testPoolModeRejectedEverywhere() {
        let allowed = ["session", "transaction", "statement"]
        for (text, path) in cases("pool_mode") {
            assertRejected(text, path: path, allowed: allowed)
        }
        let database = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\npool_mode = \"bogus\"\n"
        assertRejected(database, path: "databases[0].pool_mode", allowed: allowed)
    }

    func testAuthMethodRejectedEverywhere() {
        for (text, path) in cases("auth_method") {
            assertRejected(text, path: path, allowed: ["scram-sha-256", "md5", "trust"])
        }
    }

    func testProxyOnlyEnums() {
        let proxyEnums = [
            ("session_features", ["pin", "reject"]),
            ("log_level", ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        ]
        for (key, allowed) in proxyEnums {
            assertRejected("[proxy]\n\(key) = \"bogus\"\n" + Fixture.minimal, path: "proxy.\(key)", allowed: allowed)
        }
    }

    func testNodeRole() {
        let text = Fixture.database + "[[nodes]]\nname = \"n\"\nhost = \"h\"\nrole = \"bogus\"\n"
        assertRejected(text, path: "nodes[0].role", allowed: ["primary", "replica", "auto"])
    }

    func testDatabaseEnums() {
        let databaseEnums = [
            ("isolation", ["none", "schema", "shared"]),
            ("consistency", ["read-your-writes", "eventual"]),
            ("consistency_scope", ["session", "tenant"]),
        ]
        for (key, allowed) in databaseEnums {
            let text = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\n\(key) = \"bogus\"\n"
            assertRejected(text, path: "databases[0].\(key)", allowed: allowed)
        }
    }

    func testCloseMissSuggestsTheIntendedValue() throws {
        let error = try XCTUnwrap(singleError("[proxy]\npool_mode = \"transactions\"\n" + Fixture.minimal))
        XCTAssertEqual(
            error.description,
            "test.toml:2: proxy.pool_mode: must be one of \"session\", \"transaction\", \"statement\", "
                + "got \"transactions\"; did you mean \"transaction\"?"
        )
    }

    func testEnumValuesAreCaseSensitive() throws {
        let error = try XCTUnwrap(singleError("[proxy]\nlog_level = \"INFO\"\n" + Fixture.minimal))
        XCTAssertEqual(error.key, "proxy.log_level")
    }

    func testAcceptedValuesMapToCases() throws {
        let text = """
            [proxy]
            auth_method = "trust"
            session_features = "reject"
            log_level = "critical"

            [[nodes]]
            name = "n"
            host = "h"
            role = "auto"

            [[databases]]
            name = "d"
            server_user = "p"
            consistency = "eventual"
            consistency_scope = "tenant"
            """
        let config = try XCTUnwrap(parse(text))
        XCTAssertEqual(config.proxy.authMethod, .trust)
        XCTAssertEqual(config.proxy.sessionFeatures, .reject)
        XCTAssertEqual(config.proxy.logLevel, .critical)
        XCTAssertEqual(config.nodes.first?.role, .auto)
        XCTAssertEqual(config.databases.first?.consistency, .eventual)
        XCTAssertEqual(config.databases.first?.consistencyScope, .tenant)
    }
}
