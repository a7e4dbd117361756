// `bulkhead tenant-ddl` output applied to the real database: PostgreSQL then enforces the boundary by itself.

import BulkheadConfig
import Foundation
import XCTest

final class TenantDDLTests: XCTestCase {
    func testGeneratedPoliciesConfineATenantRoleWithoutTheProxy() throws {
        try Cluster.requireUp()
        let config = try BulkheadConfig.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config/bulkhead.toml").path)
        let ddl = TenantDDL.sql(for: config)
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = "postgres"
        for _ in 0..<2 {   // idempotent: applying it twice must work
            let (status, output) = try runCommand(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", Cluster.host, "-p", "\(Cluster.primaryPort)",
                                                   "-U", "postgres", "-d", "docs", "-f", "-"], environment: env, input: ddl)
            XCTAssertEqual(status, 0, output)
        }
        let connection = try PQConnection(Cluster.direct())
        try connection.exec("SET ROLE tenant_acme")
        try connection.exec("SELECT pg_catalog.set_config('bulkhead.tenant_id', '1', false)")
        XCTAssertEqual(try connection.exec("SELECT count(*), min(organization_id), max(organization_id) FROM app.documents").rows.first, ["20", "1", "1"])
        XCTAssertThrowsError(try connection.exec("INSERT INTO app.folders(organization_id, name) VALUES (2, 'planted')")) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "42501", "RLS WITH CHECK refuses another tenant's id: \(error)")
        }
        XCTAssertThrowsError(try connection.exec("SELECT count(*) FROM tenant_globex.documents"), "no grant on another tenant's schema")
        try connection.exec("RESET ROLE")
        try connection.exec("SET ROLE tenant_initech")
        XCTAssertEqual(try connection.exec("SELECT count(*) FROM tenant_initech.documents").first, "20")
        XCTAssertThrowsError(try connection.exec("SELECT count(*) FROM tenant_acme.documents"))
    }
}
