// login(user:database:) finds tenant and plain users and enforces which databases each may use.

import XCTest
@testable import BulkheadConfig

final class LoginTests: XCTestCase {
    private var config: BulkheadConfig?

    override func setUp() {
        config = parse(Fixture.nodes + Fixture.tenantDatabases + """
            [[databases]]
            name = "plain_db"
            server_user = "postgres"
            pool_mode = "transaction"

            [[tenants]]
            name = "acme"
            database = "shared_db"
            tenant_id = 42
            server_role = "acme_role"
            users = [{ name = "acme_app", password = "a", auth_method = "md5", pool_mode = "statement" }]

            [[users]]
            name = "everywhere"
            password = "e"

            [[users]]
            name = "restricted"
            password = "r"
            databases = ["plain_db"]
            """)
    }

    func testTenantUserLogsIntoItsTenantsDatabaseOnly() throws {
        let config = try XCTUnwrap(config)
        let login = try XCTUnwrap(config.login(user: "acme_app", database: "shared_db"))
        XCTAssertEqual(login.tenant?.name, "acme")
        XCTAssertEqual(login.tenant?.tenantID, 42)
        XCTAssertEqual(login.tenant?.serverRole, "acme_role")
        XCTAssertEqual(login.database.name, "shared_db")
        XCTAssertEqual(login.user.authMethod, .md5)
        XCTAssertEqual(login.user.tenantName, "acme")
        XCTAssertEqual(login.user.effectivePoolMode(for: login.database), .statement)
        XCTAssertNil(config.login(user: "acme_app", database: "plain_db"))
        XCTAssertNil(config.login(user: "acme_app", database: "schema_db"))
    }

    func testPlainUsers() throws {
        let config = try XCTUnwrap(config)
        for database in ["shared_db", "schema_db", "plain_db"] {
            let login = try XCTUnwrap(config.login(user: "everywhere", database: database))
            XCTAssertNil(login.tenant)
            XCTAssertEqual(login.database.name, database)
        }
        XCTAssertEqual(config.login(user: "restricted", database: "plain_db")?.user.effectivePoolMode(
            for: try XCTUnwrap(config.database(named: "plain_db"))
        ), .transaction)
        XCTAssertNil(config.login(user: "restricted", database: "shared_db"))
    }

    func testUnknownUserOrDatabase() throws {
        let config = try XCTUnwrap(config)
        XCTAssertNil(config.login(user: "nobody", database: "plain_db"))
        XCTAssertNil(config.login(user: "everywhere", database: "missing"))
        XCTAssertNil(config.database(named: "missing"))
        XCTAssertNil(config.login(user: "ACME_APP", database: "shared_db"))
    }
}
