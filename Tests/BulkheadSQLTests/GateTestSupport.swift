// Shared policies and assertions for the tenant-gate tests, including an independent confinement check.

import BulkheadSQL
import Foundation
import XCTest

enum Policies {
    static let tenantTables: [QualifiedName: String] = [
        QualifiedName(schema: "app", name: "documents"): "organization_id",
        QualifiedName(schema: "app", name: "folders"): "organization_id",
        QualifiedName(schema: "app", name: "document_versions"): "organization_id",
        QualifiedName(schema: "auth", name: "users"): "organization_id",
        QualifiedName(schema: "app", name: "organizations"): "id",
    ]
    static let globals: Set<QualifiedName> = [QualifiedName(schema: "public", name: "plans")]

    /// Tenant acme (organization 1) in the shared layout; unqualified names resolve in app, auth, public.
    static let acmeShared = TenantPolicy(
        tenant: "acme", isolation: .shared(tenantID: 1, tenantTables: tenantTables, globalTables: globals),
        searchPath: ["app", "auth", "public"])

    /// Tenant acme in the schema-per-tenant layout.
    static let acmeSchema = TenantPolicy(
        tenant: "acme", isolation: .schema(schema: "tenant_acme", globalTables: globals))
}

extension XCTestCase {
    /// Asserts that the gate refuses `sql`, optionally with a given SQLSTATE and message fragment.
    func assertRefused(_ sql: String, _ policy: TenantPolicy, state: String? = nil, containing fragment: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
        switch TenantGate.check(sql, policy: policy) {
        case .success(let verdict):
            XCTFail("expected refusal of: \(sql)\n  got: \(verdict.sql)", file: file, line: line)
        case .failure(let refusal):
            XCTAssertTrue(refusal.message.hasPrefix("bulkhead: "), refusal.message, file: file, line: line)
            XCTAssertTrue(["42501", "0A000", "42601"].contains(refusal.sqlState), refusal.sqlState, file: file, line: line)
            if let state { XCTAssertEqual(refusal.sqlState, state, "\(sql): \(refusal.message)", file: file, line: line) }
            if let fragment {
                XCTAssertTrue(refusal.message.contains(fragment), "\(sql): \(refusal.message)", file: file, line: line)
            }
        }
    }

    /// Asserts that the gate accepts `sql` and returns what it forwards.
    @discardableResult
    func assertAllowed(_ sql: String, _ policy: TenantPolicy, file: StaticString = #filePath, line: UInt = #line) -> String? {
        switch TenantGate.check(sql, policy: policy) {
        case .success(let verdict):
            return verdict.sql
        case .failure(let refusal):
            XCTFail("expected \(sql) to be allowed, refused: \(refusal.message)", file: file, line: line)
            return nil
        }
    }

    /// Asserts that a shared-mode text is accepted and that, re-parsed, every tenant-table reference in it is
    /// confined to tenant 1 (checked here independently of the gate's own verifier).
    @discardableResult
    func assertConfined(_ sql: String, _ policy: TenantPolicy = Policies.acmeShared,
                        file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard let forwarded = assertAllowed(sql, policy, file: file, line: line) else { return nil }
        ConfinementChecker.check(forwarded, file: file, line: line)
        return forwarded
    }
}

/// An independent, simplified re-implementation of "every tenant table is confined to organization 1".
enum ConfinementChecker {
    static func check(_ sql: String, file: StaticString, line: UInt) {
        guard case .success(let parsed) = SQLParser.parse(sql) else {
            return XCTFail("forwarded text does not parse: \(sql)", file: file, line: line)
        }
        var targets: Set<Int> = []
        var readCount = 0
        for statement in parsed.statements {
            statement.node.walk { node in
                switch node.kind {
                case "UpdateStmt", "DeleteStmt", "InsertStmt":
                    if let relation = node.node("relation"), let column = tenantColumn(relation) {
                        targets.insert(relation.location ?? -1)
                        checkTarget(node, relation: relation, column: column, parsed: parsed, sql: sql, file: file, line: line)
                    }
                default: break
                }
                return true
            }
            statement.node.walk { node in
                if node.kind == "RangeVar", tenantColumn(node) != nil, !targets.contains(node.location ?? -1) {
                    readCount += 1
                }
                return true
            }
        }
        let wrappers = occurrences(of: "WHERE \"documents\".\"organization_id\" = ANY ('{1}'))", in: sql)
            + occurrences(of: "WHERE \"folders\".\"organization_id\" = ANY ('{1}'))", in: sql)
            + occurrences(of: "WHERE \"document_versions\".\"organization_id\" = ANY ('{1}'))", in: sql)
            + occurrences(of: "WHERE \"users\".\"organization_id\" = ANY ('{1}'))", in: sql)
            + occurrences(of: "WHERE \"organizations\".\"id\" = ANY ('{1}'))", in: sql)
        XCTAssertEqual(readCount, wrappers, "every tenant read must sit in a confining subquery: \(sql)", file: file, line: line)
    }

    private static func tenantColumn(_ relation: SQLNode) -> String? {
        let schema = relation.string("schemaname")
        guard !schema.isEmpty else {
            // After the rewrite, tenant tables are always qualified; an unqualified one could be a CTE.
            return nil
        }
        return Policies.tenantTables[QualifiedName(schema: schema, name: relation.string("relname"))]
    }

    private static func checkTarget(_ node: SQLNode, relation: SQLNode, column: String, parsed: ParsedSQL, sql: String,
                                    file: StaticString, line: UInt) {
        let refname = relation.node("alias")?.string("aliasname") ?? relation.string("relname")
        // The tenant predicate `refname.column = ANY ('{1}')`, first among the conditions (see TenantAnalyzer).
        func isPredicate(_ expression: SQLNode) -> Bool {
            expression.kind == "A_Expr" && expression.string("kind") == "AEXPR_OP_ANY"
                && expression.node("lexpr")?.names("fields") == [refname, column]
                && expression.node("rexpr").flatMap(parsed.constantValue(of:)) == .string("{1}")
        }
        func confined(_ condition: SQLNode?) -> Bool {
            guard let condition else { return false }
            if isPredicate(condition) { return true }
            return condition.string("boolop") == "AND_EXPR" && condition.nodes("args").first.map(isPredicate) == true
        }
        switch node.kind {
        case "UpdateStmt", "DeleteStmt":
            XCTAssertTrue(confined(node.node("whereClause")), "unconfined target in \(sql)", file: file, line: line)
        default:
            let columns = node.nodes("cols").map { $0.string("name") }
            guard let index = columns.firstIndex(of: column) else {
                return XCTFail("INSERT without tenant column: \(sql)", file: file, line: line)
            }
            if let source = node.node("selectStmt"), source.nodes("valuesLists").isEmpty {
                let targets = source.nodes("targetList")
                guard index < targets.count, let value = targets[index].node("val") else {
                    return XCTFail("INSERT ... SELECT without tenant value: \(sql)", file: file, line: line)
                }
                XCTAssertTrue(isPinned(value, parsed), "tenant column not pinned to 1: \(sql)", file: file, line: line)
            }
            for row in node.node("selectStmt")?.nodes("valuesLists") ?? [] {
                let items = row.nodes("items")
                guard index < items.count else { return XCTFail("short row: \(sql)", file: file, line: line) }
                XCTAssertTrue(isPinned(items[index], parsed), "tenant column not pinned to 1: \(sql)", file: file, line: line)
            }
            if let conflict = node.node("onConflictClause"), conflict.string("action") == "ONCONFLICT_UPDATE" {
                XCTAssertTrue(confined(conflict.node("whereClause")), "unconfined ON CONFLICT: \(sql)", file: file, line: line)
            }
        }
    }

    /// The literal 1, or `CASE WHEN ... THEN 1 END` (1 or NULL).
    private static func isPinned(_ value: SQLNode, _ parsed: ParsedSQL) -> Bool {
        if parsed.constantValue(of: value) == .integer(1) { return true }
        return value.kind == "CaseExpr" && value.node("defresult") == nil && value.node("arg") == nil
            && value.nodes("args").count == 1
            && value.nodes("args")[0].node("result").flatMap(parsed.constantValue(of:)) == .integer(1)
    }

    private static func occurrences(of needle: String, in haystack: String) -> Int {
        var count = 0
        var rest = Substring(haystack)
        while let range = rest.range(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
