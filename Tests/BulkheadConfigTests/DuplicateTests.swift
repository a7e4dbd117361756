// Names that must be unique are checked, and duplicates point back at the first definition.

import XCTest
@testable import BulkheadConfig

final class DuplicateTests: XCTestCase {
    func testDuplicateNodeName() throws {
        let text = Fixture.minimal + """
            [[nodes]]
            name = "primary"
            host = "10.0.0.2"
            role = "replica"
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "nodes[1].name")
        XCTAssertEqual(error.line, 9)
        XCTAssertEqual(error.message, "duplicate node name \"primary\" (first defined on line 2)")
    }

    func testSecondPrimaryIsRejected() throws {
        let text = Fixture.minimal + "[[nodes]]\nname = \"other\"\nhost = \"h\"\nrole = \"primary\"\n"
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "nodes[1].role")
        XCTAssertEqual(error.message, "only one node may have role \"primary\" (first defined on line 4)")
    }

    func testDuplicateDatabaseName() throws {
        let error = try XCTUnwrap(singleError(Fixture.minimal + Fixture.database))
        XCTAssertEqual(error.key, "databases[1].name")
        XCTAssertEqual(error.message, "duplicate database name \"app\" (first defined on line 6)")
    }

    func testDuplicateTenantNameTenantIDAndSchema() {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "acme"
            database = "shared_db"
            tenant_id = 1
            users = [{ name = "a1", password = "pw" }]

            [[tenants]]
            name = "acme"
            database = "shared_db"
            tenant_id = 1
            users = [{ name = "a2", password = "pw" }]

            [[tenants]]
            name = "s1"
            database = "schema_db"
            schema = "same"
            users = [{ name = "s1", password = "pw" }]

            [[tenants]]
            name = "s2"
            database = "schema_db"
            schema = "same"
            users = [{ name = "s2", password = "pw" }]
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["tenants[1].name", "tenants[1].tenant_id", "tenants[3].schema"])
        XCTAssertEqual(found.map(\.message), [
            "duplicate tenant name \"acme\" (first defined on line 16)",
            "tenant_id 1 is already used by another tenant of database \"shared_db\" (first defined on line 18)",
            "schema \"same\" is already used by another tenant of database \"schema_db\" (first defined on line 30)",
        ])
    }

    func testSameTenantIDInDifferentDatabasesIsFine() {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[databases]]
            name = "other_shared"
            server_user = "postgres"
            isolation = "shared"
            tenant_tables = ["app.t"]

            [[tenants]]
            name = "a"
            database = "shared_db"
            tenant_id = 7
            users = [{ name = "a", password = "pw" }]

            [[tenants]]
            name = "b"
            database = "other_shared"
            tenant_id = 7
            users = [{ name = "b", password = "pw" }]
            """
        XCTAssertEqual(parse(text)?.tenants.map(\.tenantID), [7, 7])
    }

    func testDefaultSchemaCollidingWithExplicitOneIsRejected() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "x"
            database = "schema_db"
            users = [{ name = "x", password = "pw" }]

            [[tenants]]
            name = "y"
            database = "schema_db"
            schema = "tenant_x"
            users = [{ name = "y", password = "pw" }]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[1].schema")
    }

    func testUserNamesAreUniqueAcrossTenantsAndPlainUsers() {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "t1"
            database = "schema_db"
            users = [{ name = "shared_name", password = "pw" }, { name = "dup", password = "pw" }]

            [[tenants]]
            name = "t2"
            database = "schema_db"
            users = [{ name = "dup", password = "pw" }]

            [[users]]
            name = "shared_name"
            password = "pw"
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["tenants[1].users[0].name", "users[0].name"])
        XCTAssertEqual(found.map(\.message), [
            "duplicate user name \"dup\" (first defined on line 18)",
            "duplicate user name \"shared_name\" (first defined on line 18)",
        ])
    }
}
