// Checks the verdict/classification cache: per-policy keys, byte-exact texts, LRU eviction, concurrency.

import BulkheadSQL
import Foundation
import XCTest

final class GateCacheTests: XCTestCase {
    func testVerdictsArePerPolicy() throws {
        let cache = GateCache(capacity: 16)
        let globex = TenantPolicy(tenant: "globex", isolation: .shared(
            tenantID: 2, tenantTables: Policies.tenantTables, globalTables: Policies.globals), searchPath: ["app"])
        let sql = "SELECT * FROM app.documents"
        let acmeSQL = try cache.check(sql, policy: Policies.acmeShared).get().sql
        let globexSQL = try cache.check(sql, policy: globex).get().sql
        XCTAssertTrue(acmeSQL.contains("\"organization_id\" = ANY ('{1}')"))
        XCTAssertTrue(globexSQL.contains("\"organization_id\" = ANY ('{2}')"))
        XCTAssertEqual(try cache.check(sql, policy: Policies.acmeShared).get().sql, acmeSQL)
        guard case .failure = cache.check(sql, policy: Policies.acmeSchema) else {
            return XCTFail("schema mode refuses another schema: the same text, another policy, another verdict")
        }
        XCTAssertEqual(cache.counts.verdicts, 3)
    }

    func testRefusalsAndParseErrorsAreCached() {
        let cache = GateCache(capacity: 16)
        for _ in 0..<2 {
            guard case .failure(let refusal) = cache.check("SELECT * FROM pg_stats", policy: Policies.acmeSchema) else {
                return XCTFail("expected refusal")
            }
            XCTAssertEqual(refusal.sqlState, "42501")
            guard case .failure(let syntax) = cache.check("SELEC 1", policy: Policies.acmeSchema) else {
                return XCTFail("expected refusal")
            }
            XCTAssertEqual(syntax.sqlState, "42601")
            guard case .failure = cache.classify("SELEC 1") else { return XCTFail("expected parse failure") }
        }
        XCTAssertEqual(cache.counts.verdicts, 2)
        XCTAssertEqual(cache.counts.classifications, 2)
    }

    func testClassificationsAreCachedByText() throws {
        let cache = GateCache(capacity: 4)
        XCTAssertTrue(try cache.classify("SELECT 1").get().isReadOnly)
        XCTAssertFalse(try cache.classify("SELECT nextval('s')").get().isReadOnly)
        _ = cache.check("SELECT * FROM documents FOR UPDATE", policy: Policies.acmeSchema)
        XCTAssertEqual(cache.counts.classifications, 3, "a gate miss also classifies from the same parse")
        XCTAssertFalse(try cache.classify("SELECT * FROM documents FOR UPDATE").get().isReadOnly)
    }

    func testTextsCompareByBytesNotByUnicodeEquivalence() throws {
        let cache = GateCache(capacity: 16)
        let composed = "SELECT 1 AS \"caf\u{E9}\""
        let decomposed = "SELECT 1 AS \"cafe\u{301}\""
        XCTAssertEqual(composed, decomposed, "Swift considers these equal")
        XCTAssertEqual(try cache.check(composed, policy: Policies.acmeSchema).get().sql.utf8.count, composed.utf8.count)
        XCTAssertEqual(try cache.check(decomposed, policy: Policies.acmeSchema).get().sql.utf8.count, decomposed.utf8.count)
        XCTAssertEqual(cache.counts.verdicts, 2)
    }

    func testLeastRecentlyUsedEntriesAreEvicted() {
        let cache = GateCache(capacity: 3)
        for index in 0..<3 { _ = cache.check("SELECT \(index) AS c\(index)", policy: Policies.acmeSchema) }
        _ = cache.check("SELECT 0 AS c0", policy: Policies.acmeSchema)
        _ = cache.check("SELECT 3 AS c3", policy: Policies.acmeSchema)
        XCTAssertEqual(cache.counts.verdicts, 3)
        cache.removeAll()
        XCTAssertEqual(cache.counts.verdicts, 0)
        XCTAssertEqual(cache.counts.classifications, 0)
    }

    func testConcurrentUseGivesConsistentVerdicts() {
        let cache = GateCache(capacity: 64)
        let texts = (0..<100).map { "SELECT title FROM app.documents WHERE id = \($0)" }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<300 {
                let sql = texts[(round * 7 + worker) % texts.count]
                switch cache.check(sql, policy: Policies.acmeShared) {
                case .success(let verdict) where verdict.sql.contains("\"organization_id\" = ANY ('{1}')"): break
                default: failures.increment()
                }
                if case .failure = cache.classify(sql) { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertLessThanOrEqual(cache.counts.verdicts, 64)
    }

    /// Prints cold and warm timings; nothing is asserted about time.
    func testPrintsTimings() {
        let cache = GateCache(capacity: 100)
        let sql = "SELECT app.documents.id, app.documents.title FROM app.documents WHERE app.documents.id = $1::INTEGER"
        let coldStart = DispatchTime.now().uptimeNanoseconds
        let rounds = 200
        for index in 0..<rounds { _ = TenantGate.check(sql + " AND \(index) = \(index)", policy: Policies.acmeShared) }
        let cold = Double(DispatchTime.now().uptimeNanoseconds - coldStart) / Double(rounds) / 1_000
        _ = cache.check(sql, policy: Policies.acmeShared)
        let warmStart = DispatchTime.now().uptimeNanoseconds
        let warmRounds = 100_000
        var hits = 0
        for _ in 0..<warmRounds {
            if case .success = cache.check(sql, policy: Policies.acmeShared) { hits += 1 }
        }
        let warm = Double(DispatchTime.now().uptimeNanoseconds - warmStart) / Double(warmRounds) / 1_000
        XCTAssertEqual(hits, warmRounds)
        print(String(format: "GateCache timing (debug build): cold %.1f µs, warm %.3f µs per statement", cold, warm))
    }
}

/// A thread-safe counter for the concurrency test.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
