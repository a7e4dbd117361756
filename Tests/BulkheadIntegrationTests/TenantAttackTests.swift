// The adversarial end-to-end suite of issue 4 §7: attack tables run against both isolation modes and both pool modes.

import Foundation
import XCTest

final class TenantAttackTests: XCTestCase {
    func testTheCatalogHoldsAtLeast150AttacksAcrossBothModes() {
        let all = TenantAttackCatalog.shared + TenantAttackCatalog.schema
        for (mode, attacks) in [("shared", TenantAttackCatalog.shared), ("schema", TenantAttackCatalog.schema)] {
            for category in AttackCategory.allCases {
                let count = attacks.filter { $0.category == category }.count
                if count > 0 { print("TenantAttackCatalog [\(mode)] \(category.rawValue): \(count)") }
            }
        }
        print("TenantAttackCatalog: \(TenantAttackCatalog.shared.count) shared + \(TenantAttackCatalog.schema.count) schema = \(all.count) table attacks")
        XCTAssertGreaterThanOrEqual(all.count, 150)
        XCTAssertGreaterThanOrEqual(TenantAttackCatalog.shared.count, 75)
        XCTAssertGreaterThanOrEqual(TenantAttackCatalog.schema.count, 75)
    }

    /// The estimate attacks (`estimateReads`) show hiding only if the server's own estimates are not "never
    /// analysed" already: the demo data is analysed when it is loaded.
    func testTheVictimsRowEstimatesAreRealOnTheServer() throws {
        try Cluster.requireUp()
        let connection = try PQConnection(Cluster.direct())
        for namespace in ["app", "tenant_initech", "tenant_umbrella"] {
            let rows = try connection.exec(
                "SELECT max(reltuples) FROM pg_class WHERE relnamespace = '\(namespace)'::regnamespace")
            let estimate = rows.rows.first?.first.flatMap { $0 }.flatMap(Double.init) ?? -1
            XCTAssertGreaterThan(estimate, 0, "\(namespace) has no row estimates on the server")
        }
    }

    func testSharedModeAttacksUnderSessionPooling() throws {
        try runCatalog(TenantAttackCatalog.shared, pairs: AttackPair.shared, label: "shared", poolMode: "session")
    }

    func testSharedModeAttacksUnderTransactionPooling() throws {
        try runCatalog(TenantAttackCatalog.shared, pairs: AttackPair.shared, label: "shared", poolMode: "transaction")
    }

    func testSchemaModeAttacksUnderSessionPooling() throws {
        try runCatalog(TenantAttackCatalog.schema, pairs: AttackPair.schema, label: "schema", poolMode: "session")
    }

    func testSchemaModeAttacksUnderTransactionPooling() throws {
        try runCatalog(TenantAttackCatalog.schema, pairs: AttackPair.schema, label: "schema", poolMode: "transaction")
    }

    private func runCatalog(_ attacks: [TenantAttack], pairs: [AttackPair], label: String, poolMode: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let runner = try TenantAttackRunner(poolMode: poolMode)
        defer { runner.stop() }
        let start = Date()
        runner.run(attacks, pairs: pairs, label: label, file: file, line: line)
        print("TenantAttack [\(label)/\(poolMode)] took \(String(format: "%.1f", Date().timeIntervalSince(start)))s")
    }
}
