// Unknown keys are rejected wherever they appear, on their own line, with a suggestion when one is close.

import XCTest
@testable import BulkheadConfig

final class UnknownKeyTests: XCTestCase {
    func testUnknownTopLevelKey() throws {
        // Top-level keys must precede the first table header, or TOML puts them in that table.
        let text = "log = 1\nnode = 3\n\n" + Fixture.minimal
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["log", "node"])
        XCTAssertEqual(found.map(\.line), [1, 2])
        XCTAssertEqual(found.map(\.message), ["unknown key", "unknown key; did you mean \"nodes\"?"])
    }

    func testUnknownTopLevelTable() throws {
        let text = Fixture.minimal + "[proxi]\nlisten = \"127.0.0.1:1\"\n"
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "proxi")
        XCTAssertEqual(error.line, 8)
        XCTAssertEqual(error.line, lineNumber(of: "[proxi]", in: text))
        XCTAssertEqual(error.message, "unknown key; did you mean \"proxy\"?")
    }

    func testUnknownProxyKey() throws {
        let text = """
            # comment
            [proxy]
            listen = "127.0.0.1:6432"
            pool_mod = "session"

            """ + Fixture.minimal
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.description, "test.toml:4: proxy.pool_mod: unknown key; did you mean \"pool_mode\"?")
    }

    func testUnknownNodeKeyInSecondNode() throws {
        let text = Fixture.minimal + """
            [[nodes]]
            name = "replica"
            host = "127.0.0.1"
            role = "replica"
            wieght = 2
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "nodes[1].wieght")
        XCTAssertEqual(error.line, lineNumber(of: "wieght", in: text))
        XCTAssertEqual(error.message, "unknown key; did you mean \"weight\"?")
    }

    func testUnknownKeyInsideInlineUserTable() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "acme"
            database = "shared_db"
            tenant_id = 1
            users = [
                { name = "first", password = "pw" },
                { name = "second", pasword = "pw", auth_method = "trust" },
            ]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].users[1].pasword")
        XCTAssertEqual(error.line, lineNumber(of: "pasword", in: text))
        XCTAssertEqual(error.message, "unknown key; did you mean \"password\"?")
    }

    func testTenantUsersHaveNoDatabasesKey() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "acme"
            database = "shared_db"
            tenant_id = 1
            users = [{ name = "u", password = "pw", databases = ["shared_db"] }]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].users[0].databases")
        XCTAssertEqual(error.message, "unknown key")
    }

    func testFarOffKeyGetsNoSuggestion() throws {
        let error = try XCTUnwrap(singleError("[proxy]\ncompletely_unrelated = 1\n" + Fixture.minimal))
        XCTAssertEqual(error.message, "unknown key")
    }

    func testUnknownKeysInDatabaseAndUserTables() {
        let text = Fixture.minimal + """
            [[users]]
            name = "u"
            password = "pw"
            databse = ["app"]
            """
        let found = errors(Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\npool_sise = 3\n")
        XCTAssertEqual(found.map(\.description), ["test.toml:8: databases[0].pool_sise: unknown key; did you mean \"pool_size\"?"])
        XCTAssertEqual(
            singleError(text)?.description,
            "test.toml:\(lineNumber(of: "databse", in: text) ?? 0): users[0].databse: unknown key; did you mean \"databases\"?"
        )
    }

    func testDottedUnknownKeyIsReportedAtItsFirstComponent() throws {
        let text = "[proxy]\nlisten = \"127.0.0.1:6432\"\ntimeouts.connect = 5\n" + Fixture.minimal
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "proxy.timeouts")
        XCTAssertEqual(error.line, 3)
    }

    func testQuotedUnknownKeyIsPrintedQuoted() throws {
        let text = "[proxy]\n\"pool mode\" = \"session\"\n" + Fixture.minimal
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "proxy.\"pool mode\"")
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.message, "unknown key; did you mean \"pool_mode\"?")
    }
}
