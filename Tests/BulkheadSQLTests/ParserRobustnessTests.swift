// Checks that hostile or unusual texts parse into a faithful tree, or fail cleanly, never crash.

import BulkheadSQL
import XCTest

final class ParserRobustnessTests: XCTestCase {
    func testDeepNestingFailsCleanly() {
        let nested = "SELECT " + String(repeating: "ARRAY[", count: 900) + "1" + String(repeating: "]", count: 900)
        guard case .failure = SQLParser.parse(nested) else { return XCTFail("expected a clean failure") }
        assertRefused(nested, Policies.acmeShared, state: "42601")
        let deepSum = "SELECT " + Array(repeating: "1", count: 5_000).joined(separator: " + ")
        switch TenantGate.check(deepSum, policy: Policies.acmeSchema) {
        case .success(let verdict): XCTAssertEqual(verdict.sql, deepSum)
        case .failure(let refusal): XCTAssertEqual(refusal.sqlState, "42601")
        }
    }

    func testEveryIdentifierSpellingNormalizesToTheSameName() throws {
        let spellings = ["app.documents", "APP.Documents", "\"app\".\"documents\"", "U&\"\\0061pp\".documents",
                         "U&\"!0061pp\" UESCAPE '!'.documents", "docs.app.documents", "app /* c */ . -- c\n documents"]
        for spelling in spellings {
            let parsed = try SQLParser.parse("SELECT * FROM \(spelling)").get()
            let relation = try XCTUnwrap(parsed.statements.first?.node.nodes("fromClause").first)
            XCTAssertEqual(relation.string("schemaname"), "app", spelling)
            XCTAssertEqual(relation.string("relname"), "documents", spelling)
        }
        XCTAssertEqual(QualifiedName(parsing: "App.\"Documents\""), QualifiedName(schema: "app", name: "Documents"))
        XCTAssertEqual(QualifiedName(parsing: " plans "), QualifiedName(schema: nil, name: "plans"))
        XCTAssertNil(QualifiedName(parsing: "a.b.c"))
        XCTAssertNil(QualifiedName(parsing: "\"unterminated"))
        XCTAssertEqual(QualifiedName(schema: "a\"b", name: "c").quotedSQL, "\"a\"\"b\".\"c\"")
    }

    func testUnknownNodeKindsAreWalkedGenerically() throws {
        let parsed = try SQLParser.parse("CREATE TABLE t (a int DEFAULT nextval('s'))").get()
        var kinds: Set<String> = []
        parsed.statements[0].node.walk { node in
            kinds.insert(node.kind)
            return true
        }
        XCTAssertTrue(kinds.isSuperset(of: ["CreateStmt", "ColumnDef", "FuncCall", "RangeVar", "Constraint"]), "\(kinds)")
    }

    func testTokensCoverCommentsAndStrings() throws {
        let parsed = try SQLParser.parse("SELECT 'a;b' /* c */ -- d\n, $$e$$").get()
        XCTAssertEqual(parsed.tokens.filter(\.isComment).count, 2)
        XCTAssertEqual(parsed.statements.count, 1)
        XCTAssertEqual(parsed.characterPosition(ofByte: 7), 8)
    }

    func testNonUTF8LookalikesAndNULAreRejected() {
        assertRefused("SELECT 1\u{0}", Policies.acmeSchema, state: "42601")
        assertRefused("SELECT E'\\x27' FROM tenant_globex.documents", Policies.acmeSchema, state: "42501")
    }
}
