// Shared mode's EXPLAIN: no ANALYZE, and COSTS forced off, so no figure describes other tenants' rows.

import BulkheadSQL
import XCTest

final class SharedExplainTests: XCTestCase {
    func testCostsAreTurnedOffInEverySpelling() throws {
        let cases: [(String, String)] = [
            ("EXPLAIN SELECT 1", "EXPLAIN (COSTS OFF) SELECT 1"),
            ("explain   SELECT 1", "explain (COSTS OFF)   SELECT 1"),
            ("EXPLAIN VERBOSE SELECT 1", "EXPLAIN (VERBOSE, COSTS OFF) SELECT 1"),
            ("EXPLAIN (FORMAT JSON) SELECT 1", "EXPLAIN (COSTS OFF, FORMAT JSON) SELECT 1"),
            ("EXPLAIN (ANALYZE false, SETTINGS) SELECT 1", "EXPLAIN (COSTS OFF, ANALYZE false, SETTINGS) SELECT 1"),
            ("EXPLAIN (COSTS OFF) SELECT 1", "EXPLAIN (COSTS OFF) SELECT 1"),
            ("EXPLAIN (costs false, format yaml) SELECT 1", "EXPLAIN (costs false, format yaml) SELECT 1"),
            ("EXPLAIN (COSTS 0) SELECT 1", "EXPLAIN (COSTS 0) SELECT 1"),
            ("EXPLAIN (COSTS 'off') SELECT 1", "EXPLAIN (COSTS 'off') SELECT 1"),
        ]
        for (sql, expected) in cases {
            XCTAssertEqual(try TenantGate.check(sql, policy: Policies.acmeShared).get().sql, expected, sql)
        }
    }

    func testTenantTablesAreConfinedAndExplainedWithoutCosts() throws {
        for sql in ["EXPLAIN SELECT * FROM app.documents WHERE title = 'guess'", "EXPLAIN VERBOSE DELETE FROM app.folders",
                    "EXPLAIN (FORMAT JSON) UPDATE app.documents SET title = 'x'"] {
            guard let forwarded = assertConfined(sql) else { continue }
            let parsed = try SQLParser.parse(forwarded).get()
            let options = parsed.statements[0].node.nodes("options")
            let costs = options.filter { $0.string("defname") == "costs" }
            XCTAssertEqual(costs.count, 1, forwarded)
            XCTAssertEqual(costs.first?.node("arg")?.string("sval"), "off", forwarded)
            XCTAssertFalse(options.contains { $0.string("defname") == "analyze" }, forwarded)
        }
    }

    func testAnalyzeAndCostsAreRefused() {
        let refused = [
            "EXPLAIN ANALYZE SELECT * FROM app.document_versions",
            "EXPLAIN ANALYSE SELECT 1",
            "EXPLAIN ANALYZE VERBOSE DELETE FROM app.documents",
            "EXPLAIN (ANALYZE) SELECT 1",
            "EXPLAIN (ANALYZE true, COSTS OFF) SELECT 1",
            "EXPLAIN (ANALYZE on, TIMING off, SUMMARY off) SELECT 1",
            "EXPLAIN (ANALYZE 1) SELECT 1",
            "EXPLAIN (ANALYZE false, ANALYZE) SELECT 1",
            "EXPLAIN (COSTS) SELECT 1",
            "EXPLAIN (COSTS ON) SELECT 1",
            "EXPLAIN (COSTS true, FORMAT JSON) SELECT 1",
            "EXPLAIN (COSTS OFF, COSTS ON) SELECT 1",
            "EXPLAIN (COSTS 1) SELECT 1",
        ]
        for sql in refused {
            assertRefused(sql, Policies.acmeShared, state: "42501")
        }
        assertRefused("EXPLAIN ANALYZE SELECT 1", Policies.acmeShared, containing: "other tenants' rows")
    }

    func testSchemaModeKeepsExplainAsWritten() {
        for sql in ["EXPLAIN ANALYZE SELECT * FROM documents", "EXPLAIN (COSTS ON) SELECT * FROM folders", "EXPLAIN SELECT 1"] {
            XCTAssertEqual(assertAllowed(sql, Policies.acmeSchema), sql)
        }
    }
}
