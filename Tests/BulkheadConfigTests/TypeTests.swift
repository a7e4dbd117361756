// Values of the wrong TOML type are rejected, naming the expected and the actual type.

import XCTest
@testable import BulkheadConfig

final class TypeTests: XCTestCase {
    func testScalarTypeMismatches() {
        let cases: [(assignment: String, key: String, message: String)] = [
            ("workers = \"4\"", "proxy.workers", "must be an integer, got a string"),
            ("workers = 4.0", "proxy.workers", "must be an integer, got a float"),
            ("listen = 6432", "proxy.listen", "must be a string, got an integer"),
            ("connect_timeout = \"5s\"", "proxy.connect_timeout", "must be a number of seconds, got a string"),
            ("connect_timeout = true", "proxy.connect_timeout", "must be a number of seconds, got a boolean"),
            ("pool_mode = 1", "proxy.pool_mode", "must be a string, got an integer"),
            ("admin_users = \"admin\"", "proxy.admin_users", "must be an array of strings, got a string"),
            ("log_level = 1979-05-27", "proxy.log_level", "must be a string, got a date"),
            ("server_reset_query = []", "proxy.server_reset_query", "must be a string, got an array"),
        ]
        for (assignment, key, message) in cases {
            let error = singleError("[proxy]\n\(assignment)\n" + Fixture.minimal)
            XCTAssertEqual(error?.key, key, assignment)
            XCTAssertEqual(error?.line, 2, assignment)
            XCTAssertEqual(error?.message, message, assignment)
        }
    }

    func testBooleanKeys() {
        let base = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\n"
        XCTAssertEqual(
            singleError(base + "read_write_split = \"yes\"\n")?.message, "must be a boolean (true or false), got a string"
        )
        XCTAssertEqual(singleError(base + "set_rls_setting = 1\n")?.key, "databases[0].set_rls_setting")
        XCTAssertEqual(parse(base + "primary_reads = true\n")?.databases.first?.primaryReads, true)
    }

    func testArrayElementOfWrongTypeIsReportedByIndex() throws {
        let text = "[proxy]\nadmin_users = [\n  \"admin\",\n  42,\n]\n" + Fixture.minimal + "[[users]]\nname = \"admin\"\npassword = \"pw\"\n"
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "proxy.admin_users[1]")
        XCTAssertEqual(error.line, 4)
        XCTAssertEqual(error.message, "must be a string, got an integer")
    }

    func testSectionsOfTheWrongShape() {
        XCTAssertEqual(singleError("proxy = 1\n" + Fixture.minimal)?.message, "must be a table, got an integer")
        let nodesNotTables = errors("nodes = [1]\n" + Fixture.database)
        XCTAssertEqual(nodesNotTables.map(\.key), ["nodes[0]"])
        XCTAssertEqual(nodesNotTables.first?.message, "must be a table, got an integer")
        XCTAssertEqual(singleError("databases = \"app\"\n" + Fixture.nodes)?.message, "must be an array of tables, got a string")
        XCTAssertEqual(singleError(Fixture.minimal + "[users]\nname = \"x\"\n")?.message, "must be an array of tables, got a table")
    }

    func testTenantUsersMustBeTables() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "t"
            database = "schema_db"
            users = ["alice"]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].users[0]")
        XCTAssertEqual(error.message, "must be a table, got a string")
    }

    func testInlineArrayOfTablesIsAcceptedForNodes() throws {
        let text = """
            nodes = [
              { name = "a", host = "h", role = "primary" },
              { name = "b", host = "h", role = "replica", port = 5433 },
            ]
            """ + "\n" + Fixture.database
        XCTAssertEqual(parse(text)?.nodes.map(\.name), ["a", "b"])
        let bad = text.replacingOccurrences(of: "port = 5433", with: "port = \"5433\"")
        let error = try XCTUnwrap(singleError(bad))
        XCTAssertEqual(error.key, "nodes[1].port")
        XCTAssertEqual(error.line, 3)
    }
}
