// Checks that verdicts served per statement shape are exactly the verdicts the gate reaches on the text itself.

@testable import BulkheadSQL
import XCTest

final class GateShapeTests: XCTestCase {
    func testNewLiteralsInAnApprovedShapeAreServedWithoutParsing() throws {
        let cache = GateCache(capacity: 16)
        _ = try cache.check("SELECT abalance FROM pgbench_accounts WHERE aid = 1001", policy: Policies.acmeSchema).get()
        let verdict = try cache.check("SELECT abalance FROM pgbench_accounts WHERE aid = 7", policy: Policies.acmeSchema).get()
        XCTAssertEqual(verdict, GateVerdict(sql: "SELECT abalance FROM pgbench_accounts WHERE aid = 7", isRewritten: false, statementCount: 1))
        XCTAssertEqual(cache.counts.shapes, 1)
        XCTAssertEqual(cache.counts.verdicts, 1, "a text served by its shape once is not kept by text")
        XCTAssertEqual(try cache.check("SELECT abalance FROM pgbench_accounts WHERE aid = 7", policy: Policies.acmeSchema).get(), verdict)
        XCTAssertEqual(cache.counts.verdicts, 2, "a text served by its shape a second time is kept by text")
    }

    func testVerdictsThatReadALiteralAreNotKeptPerShape() {
        let cache = GateCache(capacity: 16)
        // The gate reads these values: the same shape with another value must be refused.
        let pairs = [
            ("SET client_encoding = 'UTF8'", "SET client_encoding = 'LATIN1'", Policies.acmeSchema),
            ("SET standard_conforming_strings = 'on'", "SET standard_conforming_strings = 'off'", Policies.acmeSchema),
            ("INSERT INTO app.documents (organization_id, title) VALUES (1, 'a')",
             "INSERT INTO app.documents (organization_id, title) VALUES (2, 'a')", Policies.acmeShared),
            ("SET bulkhead.route = 'replica'", "SET bulkhead.route = 'elsewhere'", Policies.acmeSchema),
        ]
        for (approved, refused, policy) in pairs {
            if case .failure(let refusal) = cache.check(approved, policy: policy) {
                XCTFail("\(approved): \(refusal.message)")
            }
            guard case .failure = cache.check(refused, policy: policy) else {
                return XCTFail("\(refused) must be refused after \(approved) was approved")
            }
        }
        XCTAssertEqual(cache.counts.shapes, 0)
    }

    func testLiteralsOutsideAConstantGetNoShapeVerdict() {
        // FETCH's count, a folded minus and UESCAPE's character are not A_Const nodes at the literal.
        for sql in ["FETCH 5 FROM c", "SELECT * FROM documents WHERE id = -5",
                    "SELECT U&'d!0061ta' UESCAPE '!'", "SELECT * FROM documents LIMIT 3"] {
            let parsed: ParsedSQL
            switch SQLParser.parse(sql) {
            case .success(let result): parsed = result
            case .failure(let error): return XCTFail("\(sql): \(error.message)")
            }
            XCTAssertEqual(StatementShape.literalsAreConstants(parsed), sql.hasSuffix("LIMIT 3"), sql)
        }
    }

    func testShapesKeepEverythingButLiteralValues() {
        func shape(_ sql: String) -> StatementShape? { StatementShape.scan(sql)?.shape }
        XCTAssertNotNil(shape("SELECT 1"))
        XCTAssertEqual(shape("SELECT 'a', 1, 2.5"), shape("SELECT  'bcd',7,   3.0"))
        XCTAssertEqual(shape("SELECT 'a'"), shape("SELECT $$a$$"), "both are SCONST tokens")
        XCTAssertNotEqual(shape("SELECT 1"), shape("SELECT '1'"), "the literal's kind is part of the shape")
        XCTAssertNotEqual(shape("SELECT 1"), shape("SELECT 1.5"))
        XCTAssertNotEqual(shape("SELECT 1"), shape("SELECT 99999999999"), "an integer beyond 32 bits scans as FCONST")
        XCTAssertNotEqual(shape("SELECT a FROM t"), shape("SELECT b FROM t"))
        XCTAssertNotEqual(shape("SELECT a FROM t"), shape("SELECT \"a\" FROM t"))
        XCTAssertNotEqual(shape("SELECT 1 /* x */"), shape("SELECT 1 /* y */"), "comments carry routing hints")
        XCTAssertNotEqual(shape("SELECT ab"), shape("SELECT a b"))
        XCTAssertNil(shape("SELECT 1\u{0}; DROP TABLE t"))
        XCTAssertNil(shape("SELECT 'unterminated"))
    }

    func testATextWithANULByteIsNotServedByItsShape() {
        let cache = GateCache(capacity: 16)
        _ = cache.check("SELECT abalance FROM pgbench_accounts WHERE aid = 1", policy: Policies.acmeSchema)
        guard case .failure = cache.check("SELECT abalance FROM pgbench_accounts WHERE aid = 1\u{0}; DROP TABLE x",
                                          policy: Policies.acmeSchema) else {
            return XCTFail("a NUL byte must be refused")
        }
    }

    func testSharedModeRewritesOfAShapeArePlacedByTokenAndVerifiedAgain() throws {
        let cache = GateCache(capacity: 16)
        let texts = [
            "SELECT d.title, v.content FROM app.documents d JOIN app.document_versions v ON v.document_id = d.id WHERE d.id = 1001",
            "SELECT d.title, v.content FROM app.documents d JOIN app.document_versions v ON v.document_id = d.id WHERE d.id = 7",
            "SELECT d.title, v.content FROM app.documents d JOIN app.document_versions v ON v.document_id = d.id WHERE d.id = 123456",
            "SELECT   d.title, v.content\nFROM app.documents d JOIN app.document_versions v ON v.document_id = d.id WHERE d.id = 2",
        ]
        for sql in texts {
            let cached = try cache.check(sql, policy: Policies.acmeShared).get()
            XCTAssertEqual(cached, try TenantGate.check(sql, policy: Policies.acmeShared).get(), sql)
            XCTAssertTrue(cached.isRewritten)
        }
        XCTAssertEqual(cache.counts.shapes, 1, "one shape, whatever the literal and the spacing")
        let update = "UPDATE app.documents SET updated_at = now(), title = 'x' WHERE id = 5 RETURNING id"
        _ = try cache.check(update, policy: Policies.acmeShared).get()
        let other = "UPDATE app.documents SET updated_at = now(), title = 'a much longer title' WHERE id = 51 RETURNING id"
        XCTAssertEqual(try cache.check(other, policy: Policies.acmeShared).get(), try TenantGate.check(other, policy: Policies.acmeShared).get())
        XCTAssertEqual(cache.counts.shapes, 2)
    }

    func testShapeVerdictsArePerPolicy() throws {
        let cache = GateCache(capacity: 16)
        _ = try cache.check("SELECT * FROM documents WHERE id = 1", policy: Policies.acmeSchema).get()
        let shared = try cache.check("SELECT * FROM documents WHERE id = 2", policy: Policies.acmeShared).get()
        XCTAssertTrue(shared.isRewritten, "shared mode confines the same shape: \(shared.sql)")
    }

    /// Differential: every corpus text, then variants with other literal values of the same kinds; the cache
    /// must answer each variant exactly as the gate does on the variant's own text.
    func testCachedVerdictsEqualFreshVerdictsForEveryCorpusTextWithOtherLiterals() {
        let corpus = SchemaModeAttackTests.attacks + SharedModeAttackTests.refusals + SharedModeAttackTests.confined
            + SQLAlchemyCorpusTests.sharedSchemaTraffic + Self.valueSensitive + CatalogEstimateTests.reads
        var compared = 0, servedByShape = 0
        for policy in [Policies.acmeSchema, Policies.acmeShared] {
            for sql in corpus {
                let cache = GateCache(capacity: 64)
                _ = cache.check(sql, policy: policy)
                let shapesBefore = cache.counts.shapes
                for round in 0..<Self.replacements[SQLToken.integerConstant, default: []].count {
                    guard let variant = Self.variant(of: sql, round: round), variant != sql else { continue }
                    let fresh = TenantGate.check(variant, policy: policy)
                    let cached = cache.check(variant, policy: policy)
                    compared += 1
                    if shapesBefore > 0 && StatementShape.scan(variant)?.shape == StatementShape.scan(sql)?.shape { servedByShape += 1 }
                    switch (fresh, cached) {
                    case (.success(let expected), .success(let got)):
                        XCTAssertEqual(got, expected, variant)
                    case (.failure(let expected), .failure(let got)):
                        XCTAssertEqual(got.sqlState, expected.sqlState, variant)
                    case (.success, .failure(let got)):
                        XCTFail("cache refused what the gate approves: \(variant): \(got.message)")
                    case (.failure(let expected), .success(let got)):
                        XCTFail("cache approved what the gate refuses (\(expected.message)): \(variant) -> \(got.sql)")
                    }
                }
            }
        }
        print("compared \(compared) variants, \(servedByShape) of them in a shape the cache had approved")
        XCTAssertGreaterThan(compared, 1_000)
        XCTAssertGreaterThan(servedByShape, 100, "the comparison must exercise shape verdicts")
    }

    /// Texts whose verdict depends on a literal's value, or whose literals the grammar does not keep as constants.
    static let valueSensitive = [
        "SET client_encoding = 'UTF8'", "SET standard_conforming_strings = on", "SET bulkhead.route = 'replica'",
        "SET statement_timeout = 1000", "SET application_name = 'x'", "SET TIME ZONE 'UTC'",
        "INSERT INTO app.documents (organization_id, title) VALUES (1, 'a')",
        "INSERT INTO documents (organization_id, title) SELECT 1, 'x'",
        "UPDATE app.documents SET organization_id = 1 WHERE id = 1",
        "INSERT INTO app.documents (organization_id, title) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET organization_id = 1",
        "SELECT * FROM app.documents WHERE organization_id = 1", "SELECT 'tenant_acme.documents'::regclass",
        "SELECT to_regclass('tenant_acme.documents')", "SELECT * FROM documents WHERE id = -1",
        "FETCH 5 FROM c", "MOVE 2 IN c", "COPY documents FROM '/etc/passwd'", "COPY documents TO STDOUT (FORMAT 'csv')",
        "EXPLAIN (FORMAT 'json') SELECT 1", "SELECT U&'\\0061' UESCAPE '!'", "SELECT * FROM U&\"d!0061ta\" UESCAPE '!'",
        "NOTIFY chan, 'payload'", "PREPARE TRANSACTION 'x'", "SELECT pg_advisory_lock(1)", "SELECT set_config('a', 'b', false)",
        "SELECT 1 /* bulkhead:primary */", "SELECT x'1F', b'101', 1.5, 99999999999, E'\\x41', $$d$$, $q$e$q$",
        "SELECT * FROM documents WHERE title LIKE 'a%' ESCAPE '!'", "SELECT interval '1' day", "SELECT 1::varchar(10)",
        "SELECT * FROM documents TABLESAMPLE bernoulli (10) REPEATABLE (1)", "DECLARE c CURSOR FOR SELECT 1 LIMIT 2",
    ]

    /// Same-kind replacements per literal token kind; round `r` uses entry `r` of each list.
    static let replacements: [Int32: [String]] = [
        SQLToken.integerConstant: ["2", "1", "0", "7", "99", "3", "2", "1"],
        260: ["2.5", "1e3", "0.0", "1.5", "99999999999", "2.0", "1.0", "3.5"],
        261: ["'LATIN1'", "'off'", "'tenant_globex.documents'", "'search_path'", "'2'", "'/etc/passwd'", "'primary'", "''"],
        262: ["U&'x'", "U&'\\0041'", "U&'y'", "U&'z'", "U&'!'", "U&'a'", "U&'b'", "U&'c'"],
        263: ["B'1'", "B'0'", "B'11'", "B'101'", "B'1'", "B'0'", "B'1'", "B'0'"],
        264: ["X'FF'", "X'00'", "X'1F'", "X'AB'", "X'FF'", "X'00'", "X'1F'", "X'AB'"],
    ]

    /// `sql` with every literal replaced by round `round`'s value of its kind; nil when it does not scan.
    static func variant(of sql: String, round: Int) -> String? {
        guard let tokens = try? SQLParser.scan(sql) else { return nil }
        let bytes = Array(sql.utf8)
        var result: [UInt8] = []
        var position = 0
        for token in tokens where StatementShape.isLiteral(token.kind) {
            guard let choices = replacements[token.kind], token.start >= position, token.end <= bytes.count else { return nil }
            result += bytes[position..<token.start]
            result += Array(choices[round % choices.count].utf8)
            position = token.end
        }
        result += bytes[position...]
        return String(decoding: result, as: UTF8.self)
    }
}
