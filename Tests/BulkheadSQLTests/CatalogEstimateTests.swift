// pg_class reaches the server only through the projection that hides its row estimates, in both layouts.

import BulkheadSQL
import XCTest

final class CatalogEstimateTests: XCTestCase {
    private let policies = [Policies.acmeSchema, Policies.acmeShared]

    /// Reads of pg_class in every spelling and position a tenant may use.
    static let reads = [
        "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = 'documents'",
        "SELECT * FROM pg_catalog.pg_class",
        "SELECT c.reltuples FROM PG_CLASS c",
        "SELECT reltuples FROM \"pg_class\"",
        "SELECT reltuples FROM pg_catalog.\"pg_class\"",
        "SELECT reltuples FROM \"pg_catalog\" . pg_class",
        "SELECT reltuples FROM docs.pg_catalog.pg_class",
        "SELECT reltuples FROM ONLY pg_class",
        "SELECT reltuples FROM pg_class *",
        "SELECT t FROM pg_class AS c(o, n, ns, ty, oft, ow, am, fn, ts, p, t)",
        "SELECT c FROM pg_class c",
        "SELECT row_to_json(c)::text FROM pg_class AS c",
        "SELECT (c).reltuples FROM pg_class c",
        "SELECT pg_catalog.pg_class.reltuples FROM pg_catalog.pg_class",
        "SELECT docs.pg_catalog.pg_class.reltuples FROM pg_catalog.pg_class",
        "SELECT pg_class.* FROM pg_class",
        "SELECT x.reltuples FROM (SELECT * FROM pg_class) x",
        "WITH c AS (SELECT * FROM pg_class) SELECT reltuples FROM c",
        "SELECT (SELECT max(reltuples) FROM pg_class)",
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_class WHERE reltuples > 1000)",
        "SELECT n.nspname, c.reltuples FROM pg_namespace n, LATERAL (SELECT * FROM pg_class WHERE relnamespace = n.oid) c",
        "SELECT relname FROM pg_class UNION ALL SELECT reltuples::text FROM pg_class",
        "SELECT a.reltuples FROM pg_class a JOIN pg_class b ON a.oid = b.reltoastrelid",
        "EXPLAIN SELECT reltuples FROM pg_class",
        "DECLARE c CURSOR FOR SELECT reltuples FROM pg_class",
        "COPY (SELECT reltuples FROM pg_class) TO STDOUT",
        "SELECT $1::text FROM pg_class WHERE relpages > $2",
    ]

    func testEveryReadOfPgClassGoesThroughTheProjection() {
        for policy in policies {
            for sql in Self.reads {
                guard let forwarded = assertAllowed(sql, policy) else { continue }
                XCTAssertNotEqual(forwarded, sql, "\(sql) must be rewritten")
                EstimateChecker.check(forwarded, sql: sql)
            }
        }
    }

    func testAUnicodeEscapedSpellingIsProjectedOrRefused() {
        // The scanner reports a `U&"..."` name as a token too short to splice over, so the rewritten text does
        // not parse and verification refuses it; either way the estimates never reach the tenant.
        for policy in policies {
            let sql = "SELECT reltuples FROM U&\"pg\\005fclass\""
            if case .success(let verdict) = TenantGate.check(sql, policy: policy) {
                EstimateChecker.check(verdict.sql, sql: sql)
            }
        }
    }

    func testWritesAndUpdatesReadingPgClassAreRewrittenToo() {
        EstimateChecker.check(assertAllowed("UPDATE documents SET title = c.relname FROM pg_class c WHERE c.reltuples > 0",
                                            Policies.acmeSchema) ?? "", sql: "update")
        EstimateChecker.check(assertAllowed("DELETE FROM documents USING pg_class c WHERE c.relpages > 0",
                                            Policies.acmeSchema) ?? "", sql: "delete")
        EstimateChecker.check(assertConfined("INSERT INTO app.folders (organization_id, name) SELECT 1, reltuples::text FROM pg_class") ?? "",
                              sql: "insert")
    }

    func testTheProjectionItselfIsForwardedUnchanged() throws {
        let once = try TenantGate.check("SELECT reltuples FROM pg_class", policy: Policies.acmeSchema).get()
        XCTAssertTrue(once.isRewritten)
        let twice = try TenantGate.check(once.sql, policy: Policies.acmeSchema).get()
        XCTAssertEqual(twice.sql, once.sql, "the gate's own projection needs no second rewrite")
        XCTAssertTrue(once.sql.contains("(-1)::float4 AS reltuples"), once.sql)
    }

    func testALookalikeProjectionThatKeepsAnEstimateIsWrappedAgain() throws {
        let real = try TenantGate.check("SELECT reltuples FROM pg_class", policy: Policies.acmeSchema).get().sql
        let lookalike = real.replacingOccurrences(of: "(-1)::float4 AS reltuples", with: "reltuples::float4 AS reltuples")
        XCTAssertNotEqual(lookalike, real)
        guard let forwarded = assertAllowed(lookalike, Policies.acmeSchema) else { return }
        EstimateChecker.check(forwarded, sql: lookalike)
    }

    func testTheProjectionsCastsAreCheckedLikeAnyOtherExpression() throws {
        let real = try TenantGate.check("SELECT relname FROM pg_class", policy: Policies.acmeSchema).get().sql
        for replacement in ["0::tenant_globex.counter AS relpages", "'<x/>'::xml AS relpages"] {
            let foreign = real.replacingOccurrences(of: "0::int4 AS relpages", with: replacement)
            XCTAssertNotEqual(foreign, real)
            assertRefused(foreign, Policies.acmeSchema)
        }
    }

    func testCopyOfPgClassAndSamplingItAreRefused() {
        for policy in policies {
            assertRefused("COPY pg_class TO STDOUT", policy, containing: "row estimates")
            assertRefused("COPY pg_catalog.pg_class (relname, reltuples) TO STDOUT", policy, containing: "row estimates")
            assertRefused("SELECT reltuples FROM pg_class TABLESAMPLE system (100)", policy)
        }
    }

    func testOtherCatalogsAreNotRewritten() {
        for policy in policies {
            let sql = "SELECT attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            XCTAssertEqual(assertAllowed(sql, policy), sql)
        }
    }

    func testTheProjectionListsPgClassColumnsOfPostgreSQL15InOrder() {
        // A column missing or out of order would shift `SELECT *` and column aliases onto the wrong values.
        XCTAssertEqual(CatalogEstimateProbe.columnNames.count, 33)
        XCTAssertEqual(Array(CatalogEstimateProbe.columnNames.prefix(12)),
                       ["oid", "relname", "relnamespace", "reltype", "reloftype", "relowner", "relam", "relfilenode",
                        "reltablespace", "relpages", "reltuples", "relallvisible"])
        XCTAssertEqual(CatalogEstimateProbe.columnNames.last, "relpartbound")
    }
}

/// Reads the projection's column list through the gate's output, not its internals.
private enum CatalogEstimateProbe {
    static var columnNames: [String] {
        guard case .success(let verdict) = TenantGate.check("SELECT 1 FROM pg_class", policy: Policies.acmeSchema),
              case .success(let parsed) = SQLParser.parse(verdict.sql) else { return [] }
        var names: [String] = []
        parsed.statements[0].node.walk { node in
            guard node.kind == "SelectStmt", node.nodes("targetList").count > 1 else { return true }
            names = node.nodes("targetList").map { target in
                let name = target.string("name")
                return name.isEmpty ? (target.node("val")?.names("fields")?.last ?? "?") : name
            }
            return false
        }
        return names
    }
}

/// An independent check of a forwarded text: every pg_class it reads sits alone in a subquery whose three
/// estimate columns are constants, and no other column of that subquery is an estimate or a `*`.
enum EstimateChecker {
    static let estimates: Set<String> = ["reltuples", "relpages", "relallvisible"]

    static func check(_ forwarded: String, sql: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .success(let parsed) = SQLParser.parse(forwarded) else {
            return XCTFail("forwarded text does not parse: \(forwarded)", file: file, line: line)
        }
        var reads = 0
        var hidden = 0
        for statement in parsed.statements {
            statement.node.walk { node in
                if node.kind == "RangeVar", node.string("relname") == "pg_class" { reads += 1 }
                if node.kind == "SelectStmt", isHidingProjection(node) { hidden += 1 }
                return true
            }
        }
        XCTAssertGreaterThan(reads, 0, "\(sql): no pg_class left in \(forwarded)", file: file, line: line)
        XCTAssertEqual(reads, hidden, "\(sql): a pg_class read escapes the projection: \(forwarded)", file: file, line: line)
    }

    private static func isHidingProjection(_ select: SQLNode) -> Bool {
        let from = select.nodes("fromClause")
        guard from.count == 1, from[0].kind == "RangeVar", from[0].string("relname") == "pg_class",
              select["whereClause"] == nil else { return false }
        var constants: Set<String> = []
        for target in select.nodes("targetList") {
            guard let value = target.node("val") else { return false }
            if value.kind == "ColumnRef" {
                guard let names = value.names("fields"), names.count == 1, !estimates.contains(names[0]) else { return false }
            } else if estimates.contains(target.string("name")), value.kind == "TypeCast",
                      value.node("arg")?.kind == "A_Const" {
                constants.insert(target.string("name"))
            } else {
                return false
            }
        }
        return constants == estimates
    }
}
