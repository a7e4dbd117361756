// Table and function lists parse PostgreSQL-style names: case folding, quoting, optional tenant column.

import XCTest
@testable import BulkheadConfig

final class TenantTablesTests: XCTestCase {
    private func sharedDatabase(_ extra: String) -> String {
        Fixture.nodes + """
            [[databases]]
            name = "d"
            server_user = "p"
            isolation = "shared"

            """ + extra
    }

    func testTenantTablesWithAndWithoutColumn() throws {
        let text = sharedDatabase("""
            tenant_column = "Org_ID"
            tenant_tables = ["app.documents", "App.Folders(Owner_Org)", "app.organizations( id )"]
            """)
        let database = try XCTUnwrap(parse(text)?.databases.first)
        XCTAssertEqual(database.tenantColumn, "org_id")
        XCTAssertEqual(database.tenantTables, [
            TenantTable(schema: "app", table: "documents", column: "org_id"),
            TenantTable(schema: "app", table: "folders", column: "owner_org"),
            TenantTable(schema: "app", table: "organizations", column: "id"),
        ])
    }

    func testQuotedIdentifiersKeepCaseAndSpecialCharacters() throws {
        let text = sharedDatabase(#"""
            tenant_tables = ['"App"."Doc.Items"("Tenant Id")', '"we""ird".t']
            global_tables = ['"Public"."Plans"', "public.plans"]
            allowed_functions = ['"MyFunc"', 'app."Search"', "gen_random_uuid"]
            read_only_functions = ["Public.Title"]
            """#)
        let database = try XCTUnwrap(parse(text)?.databases.first)
        XCTAssertEqual(database.tenantTables, [
            TenantTable(schema: "App", table: "Doc.Items", column: "Tenant Id"),
            TenantTable(schema: "we\"ird", table: "t", column: "organization_id"),
        ])
        XCTAssertEqual(database.globalTables, [
            TableName(schema: "Public", table: "Plans"), TableName(schema: "public", table: "plans"),
        ])
        XCTAssertEqual(database.allowedFunctions, [
            FunctionName(schema: nil, name: "MyFunc"), FunctionName(schema: "app", name: "Search"),
            FunctionName(schema: nil, name: "gen_random_uuid"),
        ])
        XCTAssertEqual(database.readOnlyFunctions, [FunctionName(schema: "public", name: "title")])
    }

    func testMalformedEntriesAreReportedPerElement() {
        let text = sharedDatabase("""
            tenant_tables = [
              "app.documents",
              "documents",
              "app.docs(col",
              "a.b.c",
              '"unterminated.x',
            ]
            global_tables = ["plans", "public.plans(id)"]
            allowed_functions = ["a.b.c", "", "1abc"]
            """)
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), [
            "databases[0].tenant_tables[1]", "databases[0].tenant_tables[2]", "databases[0].tenant_tables[3]",
            "databases[0].tenant_tables[4]", "databases[0].global_tables[0]", "databases[0].global_tables[1]",
            "databases[0].allowed_functions[0]", "databases[0].allowed_functions[1]", "databases[0].allowed_functions[2]",
        ])
        XCTAssertEqual(found.map(\.line), [11, 12, 13, 14, 16, 16, 17, 17, 17])
        XCTAssertEqual(found[0].message, "must be \"schema.table\" or \"schema.table(column)\", got \"documents\"")
        XCTAssertEqual(
            found[1].message,
            "must be \"schema.table\" or \"schema.table(column)\", got \"app.docs(col\" (missing \")\" after the column)"
        )
        XCTAssertEqual(found[4].message, "must be \"schema.table\", got \"plans\"")
    }

    func testSQLNameParserDetails() {
        XCTAssertEqual(
            try SQLNameParser.parse("Sch.\"T\"\"x\"(C)", allowsColumn: true).get(),
            SQLNameParser.ParsedName(parts: ["sch", "T\"x"], column: "c")
        )
        XCTAssertEqual(try SQLNameParser.parse("  a . b  ", allowsColumn: false).get().parts, ["a", "b"])
        XCTAssertEqual(try SQLNameParser.identifier("Ünïcode_$1").get(), "Ünïcode_$1")
        XCTAssertEqual(try SQLNameParser.identifier("ABC").get(), "abc")
        XCTAssertThrowsError(try SQLNameParser.parse("a.b(c)", allowsColumn: false).get())
        XCTAssertThrowsError(try SQLNameParser.identifier("a.b").get())
        XCTAssertThrowsError(try SQLNameParser.identifier("\"\"").get())
        XCTAssertThrowsError(try SQLNameParser.identifier("a b").get())
        XCTAssertThrowsError(try SQLNameParser.identifier(String(repeating: "x", count: 64)).get())
        XCTAssertNoThrow(try SQLNameParser.identifier(String(repeating: "x", count: 63)).get())
    }

    func testTenantColumnMustBeAnIdentifier() throws {
        let error = try XCTUnwrap(singleError(sharedDatabase("tenant_column = \"a.b\"\ntenant_tables = [\"x.y\"]\n")))
        XCTAssertEqual(error.key, "databases[0].tenant_column")
        XCTAssertEqual(error.message, "must be a single identifier, without a schema")
    }
}
