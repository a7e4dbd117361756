// DDL that changes a table's row type under a statement prepared through transaction pooling: one transparent retry.

import Foundation
import XCTest

final class PlanInvalidationTests: XCTestCase {
    nonisolated(unsafe) var proxy: ProxyFixture!

    override func setUpWithError() throws {
        proxy = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 1))
    }
    override func tearDown() { proxy?.stop() }

    func testStatementPreparedBeforeAnAlterTableKeepsWorking() throws {
        let admin = try PQConnection(Cluster.direct())
        try admin.exec("DROP TABLE IF EXISTS public.plan_retry; CREATE TABLE public.plan_retry (id int); INSERT INTO public.plan_retry VALUES (1)")
        defer { _ = try? admin.exec("DROP TABLE IF EXISTS public.plan_retry") }
        let client = try proxy.connect()
        try client.prepare("all_rows", "SELECT * FROM public.plan_retry")
        XCTAssertEqual(try client.execPrepared("all_rows", []).columns, ["id"])
        try admin.exec("ALTER TABLE public.plan_retry ADD COLUMN note text DEFAULT 'added'")
        // Directly against PostgreSQL this fails with 0A000 "cached plan must not change result type".
        let after = try client.execPrepared("all_rows", [])
        XCTAssertEqual(after.columns, ["id", "note"])
        XCTAssertEqual(after.rows, [["1", "added"]])
        XCTAssertEqual(try client.exec("SELECT 7").first, "7", "the session carries on")
    }

    func testTheSameDDLInsideAnExplicitTransactionStillFailsAsPostgreSQLWould() throws {
        let admin = try PQConnection(Cluster.direct())
        try admin.exec("DROP TABLE IF EXISTS public.plan_retry_tx; CREATE TABLE public.plan_retry_tx (id int)")
        defer { _ = try? admin.exec("DROP TABLE IF EXISTS public.plan_retry_tx") }
        let client = try proxy.connect()
        try client.prepare("rows_tx", "SELECT * FROM public.plan_retry_tx")
        _ = try client.execPrepared("rows_tx", [])
        try admin.exec("ALTER TABLE public.plan_retry_tx ADD COLUMN note text")
        try client.exec("BEGIN")
        XCTAssertThrowsError(try client.execPrepared("rows_tx", [])) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "0A000", "\(error)")
        }
        try client.exec("ROLLBACK")
    }
}
