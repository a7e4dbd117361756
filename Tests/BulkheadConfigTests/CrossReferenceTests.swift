// References between sections must resolve: tenant databases, admin users, user databases, isolation rules.

import XCTest
@testable import BulkheadConfig

final class CrossReferenceTests: XCTestCase {
    func testTenantDatabaseMissing() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "acme"
            database = "shared_dbb"
            tenant_id = 1
            users = [{ name = "u", password = "pw" }]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].database")
        XCTAssertEqual(error.line, 17)
        XCTAssertEqual(error.message, "no [[databases]] entry named \"shared_dbb\"; did you mean \"shared_db\"?")
    }

    func testTenantDatabaseWithoutIsolation() throws {
        let text = Fixture.minimal + """
            [[tenants]]
            name = "acme"
            database = "app"
            users = [{ name = "u", password = "pw" }]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].database")
        XCTAssertEqual(
            error.message, "database \"app\" has isolation \"none\"; tenants need isolation \"schema\" or \"shared\""
        )
    }

    func testTenantIDRequiredForSharedAndRejectedForSchema() {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "shared_tenant"
            database = "shared_db"
            schema = "nope"
            users = [{ name = "a", password = "pw" }]

            [[tenants]]
            name = "schema_tenant"
            database = "schema_db"
            tenant_id = 3
            users = [{ name = "b", password = "pw" }]
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["tenants[0].tenant_id", "tenants[0].schema", "tenants[1].tenant_id"])
        XCTAssertEqual(found.map(\.line), [15, 18, 24])
        XCTAssertEqual(found.first?.message, "is required because database \"shared_db\" uses isolation \"shared\"")
    }

    func testTenantNeedsAtLeastOneUser() {
        let base = Fixture.nodes + Fixture.tenantDatabases + "[[tenants]]\nname = \"t\"\ndatabase = \"schema_db\"\n"
        XCTAssertEqual(singleError(base)?.key, "tenants[0].users")
        XCTAssertEqual(singleError(base + "users = []\n")?.message, "must list at least one user")
    }

    func testAdminUsersMustNamePlainUsers() {
        let text = """
            [proxy]
            admin_users = ["admin", "amdin", "tenant_user"]

            """ + Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "t"
            database = "schema_db"
            users = [{ name = "tenant_user", password = "pw" }]

            [[users]]
            name = "admin"
            password = "pw"
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["proxy.admin_users[1]", "proxy.admin_users[2]"])
        XCTAssertEqual(found.map(\.line), [2, 2])
        XCTAssertEqual(found.map(\.message), [
            "no [[users]] entry named \"amdin\"; did you mean \"admin\"?",
            "\"tenant_user\" is a tenant user; admin_users must name [[users]] entries",
        ])
    }

    func testUserDatabasesMustExist() throws {
        let text = Fixture.minimal + """
            [[users]]
            name = "u"
            password = "pw"
            databases = ["app", "ap", "elsewhere"]
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["users[0].databases[1]", "users[0].databases[2]"])
        XCTAssertEqual(found.map(\.message), [
            "no [[databases]] entry named \"ap\"; did you mean \"app\"?",
            "no [[databases]] entry named \"elsewhere\"",
        ])
    }

    func testNodesAndDatabasesAreRequired() {
        let found = errors("[proxy]\nworkers = 2\n")
        XCTAssertEqual(found.map(\.key), ["nodes", "databases"])
        XCTAssertEqual(found.map(\.line), [nil, nil])
        XCTAssertEqual(found.first?.description, "test.toml: nodes: at least one [[nodes]] entry is required")
        XCTAssertEqual(singleError("nodes = []\n" + Fixture.database)?.key, "nodes")
    }

    func testRequiredKeysFallBackToTheTableHeaderLine() {
        let text = Fixture.minimal + "\n[[nodes]]\nname = \"second\"\n"
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), ["nodes[1].host", "nodes[1].role"])
        XCTAssertEqual(found.map(\.line), [9, 9])
        XCTAssertEqual(found.map(\.message), ["is required", "is required"])
    }

    func testTenantTablesOnlyWithSharedIsolation() {
        let base = Fixture.nodes + "[[databases]]\nname = \"d\"\nserver_user = \"p\"\n"
        XCTAssertEqual(
            singleError(base + "tenant_tables = [\"a.b\"]\n")?.message,
            "is only allowed when isolation = \"shared\", but isolation is \"none\""
        )
        XCTAssertEqual(singleError(base + "isolation = \"shared\"\n")?.message, "is required when isolation = \"shared\"")
        XCTAssertEqual(
            singleError(base + "isolation = \"shared\"\ntenant_tables = []\n")?.message,
            "must list at least one table when isolation = \"shared\""
        )
    }
}
