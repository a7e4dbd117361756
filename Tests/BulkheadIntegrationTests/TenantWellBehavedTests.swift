// A well-behaved tenant keeps working: the seed guide's SQLAlchemy patterns through the proxy, in both
// isolation modes, both protocols and both pool modes, with correct and tenant-confined results.

import Foundation
import XCTest

final class TenantWellBehavedTests: XCTestCase {
    /// The table names a tenant's ORM models use in its layout.
    private struct Tables {
        let documents: String
        let folders: String
        let versions: String
        let users: String

        init(_ tenant: TenantLogin) {
            documents = tenant.isShared ? "app.documents" : "documents"
            folders = tenant.isShared ? "app.folders" : "folders"
            versions = tenant.isShared ? "app.document_versions" : "document_versions"
            users = tenant.isShared ? "auth.users" : "users"
        }
    }

    /// One tenant session through one protocol: runs statements and fails the test on errors or foreign rows.
    private struct Session {
        let client: TenantClient
        let tenant: TenantLogin
        let wire: WireProtocol
        let file: StaticString
        let line: UInt

        var context: String { "\(tenant) [\(wire.rawValue)]" }

        @discardableResult
        func query(_ sql: String, _ parameters: [String?] = []) -> PQRows {
            let outcome = client.run(sql, parameters: parameters, via: wire)
            for text in outcome.texts where !tenant.foreignTraces(in: text).isEmpty {
                XCTFail("LEAK \(context) \(sql): \(text.prefix(200))", file: file, line: line)
            }
            if let error = outcome.error { XCTFail("\(context) \(sql): \(error)", file: file, line: line) }
            return outcome.results.last ?? PQRows(columns: [], rows: [], command: "")
        }

        func column(_ sql: String, _ parameters: [String?] = []) -> [String] {
            query(sql, parameters).rows.map { $0.first.flatMap { $0 } ?? "NULL" }
        }
    }

    func testSQLAlchemyPatternsWorkConfinedUnderSessionPooling() throws {
        try runPatterns(poolMode: "session")
    }

    func testSQLAlchemyPatternsWorkConfinedUnderTransactionPooling() throws {
        try runPatterns(poolMode: "transaction")
    }

    private func runPatterns(poolMode: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolMode: poolMode, poolSize: 1))
        defer { proxy.stop() }
        let data = try TenantDataGuard()
        var checks = 0
        for tenant in TenantLogin.all {
            let client = try TenantClient(proxy: proxy, login: tenant)
            for wire in WireProtocol.allCases {
                checks += patterns(Session(client: client, tenant: tenant, wire: wire, file: file, line: line))
                XCTAssertEqual(try data.changedOwners(), [], "\(tenant) [\(poolMode)/\(wire)] left data changed", file: file, line: line)
            }
        }
        print("TenantWellBehaved [\(poolMode)]: \(checks) statements across 4 tenants x 2 protocols")
    }

    /// Returns the number of statements run.
    private func patterns(_ session: Session) -> Int {
        let tenant = session.tenant
        let table = Tables(tenant)
        let own = "\(tenant.orgID)"
        let first = tenant.secretDocument
        let foreign = (tenant.orgID % 4 + 1) * 1000 + 1
        var count = 0
        func check(_ condition: Bool, _ message: String) {
            count += 1
            XCTAssertTrue(condition, "\(session.context): \(message)", file: session.file, line: session.line)
        }

        // ORM query with a join, a filter, ORDER BY and a bound LIMIT.
        let joined = session.query("""
            SELECT documents.id AS documents_id, documents.title AS documents_title, folders.name AS folders_name \
            FROM \(table.documents) AS documents JOIN \(table.folders) AS folders ON folders.id = documents.folder_id \
            WHERE documents.deleted_at IS NULL ORDER BY documents.id LIMIT $1
            """, ["5"])
        check(joined.rows.count == 5, "join gave \(joined.rows.count) rows")
        check(joined.rows.allSatisfy { ($0[1] ?? "").hasPrefix("\(tenant.name)-") && ($0[2] ?? "").hasPrefix("\(tenant.name)-") },
              "join rows \(joined.rows)")

        // selectinload: IN (...) over primary keys, one of them another tenant's.
        let selectin = session.query("""
            SELECT document_versions.document_id AS document_versions_document_id, document_versions.id AS \
            document_versions_id, document_versions.version_number AS document_versions_version_number \
            FROM \(table.versions) AS document_versions WHERE document_versions.document_id IN ($1, $2, $3) \
            ORDER BY document_versions.id
            """, ["\(first)", "\(first + 1)", "\(foreign)"])
        check(selectin.rows.count == 5 && selectin.rows.allSatisfy { [Optional("\(first)"), Optional("\(first + 1)")].contains($0[0]) },
              "selectinload gave \(selectin.rows)")
        let anyArray = session.column("SELECT count(*) FROM \(table.versions) WHERE document_id = ANY($1::INTEGER[])",
                                      ["{\(first),\(first + 1),\(foreign)}"])
        check(anyArray == ["5"], "ANY(array) gave \(anyArray)")

        // joinedload: LEFT OUTER JOIN to the owner.
        let joinedload = session.query("""
            SELECT documents.id, documents.title, users_1.id AS users_1_id, users_1.email AS users_1_email \
            FROM \(table.documents) AS documents LEFT OUTER JOIN \(table.users) AS users_1 ON users_1.id = documents.owner_id \
            WHERE documents.id = $1
            """, ["\(first)"])
        check(joinedload.rows.count == 1 && (joinedload.rows.first?[3] ?? "").hasSuffix("@\(tenant.name).example"),
              "joinedload gave \(joinedload.rows)")

        // Savepoints around a write that is rolled back.
        session.query("BEGIN")
        session.query("SAVEPOINT sa_savepoint_1")
        session.query("INSERT INTO \(table.folders) (id, organization_id, parent_id, name) VALUES ($1, $2, NULL, $3)",
                      ["900010", own, "savepoint-folder"])
        check(session.column("SELECT count(*) FROM \(table.folders) WHERE id = $1", ["900010"]) == ["1"], "insert not visible")
        session.query("ROLLBACK TO SAVEPOINT sa_savepoint_1")
        check(session.column("SELECT count(*) FROM \(table.folders) WHERE id = $1", ["900010"]) == ["0"], "rollback to savepoint")
        session.query("RELEASE SAVEPOINT sa_savepoint_1")

        // Bulk inserts: multi-row VALUES and SQLAlchemy 2.0's insertmanyvalues form, with RETURNING.
        let bulk = session.query("""
            INSERT INTO \(table.folders) (organization_id, parent_id, name) VALUES ($1, NULL, $2), ($3, NULL, $4), ($5, NULL, $6) \
            RETURNING id, organization_id
            """, [own, "bulk-a", own, "bulk-b", own, "bulk-c"])
        check(bulk.rows.count == 3 && bulk.rows.allSatisfy { $0[1] == own }, "bulk insert returned \(bulk.rows)")
        let manyValues = session.query("""
            INSERT INTO \(table.folders) (organization_id, parent_id, name) SELECT p0::INTEGER, p1::INTEGER, p2::VARCHAR \
            FROM (VALUES ($1, NULL, $2, 0), ($3, NULL, $4, 1)) AS imp_sen(p0, p1, p2, sen_counter) ORDER BY sen_counter \
            RETURNING \(table.folders).id, \(table.folders).organization_id
            """, [own, "many-a", own, "many-b"])
        check(manyValues.rows.count == 2 && manyValues.rows.allSatisfy { $0[1] == own }, "insertmanyvalues returned \(manyValues.rows)")
        if tenant.isShared {
            // The proxy fills in the tenant column an ORM model may leave out.
            let filled = session.column("INSERT INTO app.folders (parent_id, name) VALUES (NULL, $1), (NULL, $2) RETURNING organization_id",
                                        ["filled-a", "filled-b"])
            check(filled == [own, own], "omitted tenant column filled with \(filled)")
        }

        // Optimistic locking on updated_at: the current version updates one row, a stale one or a foreign row none.
        let version = session.column("SELECT updated_at::text FROM \(table.documents) WHERE id = $1", ["\(first)"]).first ?? ""
        let update = """
            UPDATE \(table.documents) SET title = $1, updated_at = now() WHERE \(table.documents).id = $2 \
            AND \(table.documents).updated_at = $3::timestamptz
            """
        check(session.query(update, ["renamed", "\(first)", version]).command == "UPDATE 1", "optimistic update")
        check(session.query(update, ["renamed", "\(first)", version]).command == "UPDATE 0", "stale update")
        check(session.query(update, ["renamed", "\(foreign)", version]).command == "UPDATE 0", "foreign update")

        // SELECT ... FOR UPDATE, with the ORM's variants.
        check(session.query("SELECT documents.id, documents.title FROM \(table.documents) AS documents WHERE documents.id = $1 FOR UPDATE",
                            ["\(first)"]).rows.count == 1, "FOR UPDATE own")
        check(session.query("SELECT documents.id FROM \(table.documents) AS documents WHERE documents.id = $1 FOR UPDATE OF documents SKIP LOCKED",
                            ["\(foreign)"]).rows.isEmpty, "FOR UPDATE foreign")
        check(session.query("SELECT id FROM \(table.documents) WHERE folder_id = $1 FOR NO KEY UPDATE NOWAIT",
                            ["\(tenant.firstFolder)"]).rows.count >= 1, "FOR NO KEY UPDATE")
        session.query("ROLLBACK")
        check(session.column("SELECT title FROM \(table.documents) WHERE id = $1", ["\(first)"]) == ["\(tenant.name)-secret-roadmap"],
              "rollback undid the update")

        // Window functions.
        let window = session.query("""
            SELECT documents.id, row_number() OVER (PARTITION BY documents.folder_id ORDER BY documents.created_at DESC) AS anon_1, \
            count(*) OVER () AS total FROM \(table.documents) AS documents
            """)
        check(window.rows.count == 20 && window.rows.allSatisfy { $0[2] == "20" }, "window gave \(window.rows.count) rows")
        check(session.query("SELECT folder_id, rank() OVER (ORDER BY count(*) DESC) FROM \(table.documents) GROUP BY folder_id").rows.count == 5,
              "ranked groups")

        // text() with bound parameters.
        check(session.column("SELECT title FROM \(table.documents) WHERE title LIKE $1 ORDER BY id", ["%secret%"])
              == ["\(tenant.name)-secret-roadmap"], "text() LIKE")
        check(session.column("SELECT count(*) FROM \(table.documents) WHERE organization_id = $1", [own]) == ["20"], "own count")
        check(session.column("SELECT count(*) FROM \(table.documents) WHERE organization_id <> $1", [own]) == ["0"], "foreign count")

        // CTE, aggregate, pagination, EXPLAIN and COPY out.
        let perFolder = session.query("""
            WITH live AS (SELECT id, folder_id FROM \(table.documents) WHERE deleted_at IS NULL) \
            SELECT f.name, count(l.id) FROM \(table.folders) f LEFT JOIN live l ON l.folder_id = f.id GROUP BY f.name ORDER BY f.name
            """)
        check(perFolder.rows.count == 5 && perFolder.rows.allSatisfy { ($0[0] ?? "").hasPrefix("\(tenant.name)-") }, "per folder \(perFolder.rows)")
        check(session.column("SELECT id FROM \(table.documents) ORDER BY id LIMIT $1 OFFSET $2", ["5", "15"])
              == (16...20).map { "\(tenant.orgID * 1000 + $0)" }, "pagination")
        check(!session.query("EXPLAIN SELECT * FROM \(table.documents) WHERE id = $1", ["\(first)"]).rows.isEmpty, "EXPLAIN")
        let copied = session.client.run("COPY (SELECT id, title FROM \(table.documents) ORDER BY id) TO STDOUT", via: session.wire)
        check(copied.error == nil && copied.copyOut.split(separator: "\n").count == 20
              && tenant.foreignTraces(in: copied.copyOut).isEmpty, "COPY out \(copied.summary)")

        // A write outside a transaction, and its cleanup.
        check(session.column("INSERT INTO \(table.folders) (id, organization_id, parent_id, name) VALUES ($1, $2, NULL, $3) RETURNING id",
                             ["900020", own, "created"]) == ["900020"], "insert returning")
        check(session.column("DELETE FROM \(table.folders) WHERE id = $1 RETURNING name", ["900020"]) == ["created"], "delete returning")
        check(session.column("SELECT current_user") == [tenant.serverRole], "current_user")
        check(session.column("SHOW search_path") == [tenant.searchPath], "search_path")
        return count
    }

    /// Inside a transaction a refusal fails the transaction like a server error; afterwards the session works,
    /// and the message names the rule.
    func testARefusalFailsTheOpenTransactionAndTheSessionCarriesOn() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 1))
        defer { proxy.stop() }
        let data = try TenantDataGuard()
        for tenant in TenantLogin.all {
            let client = try TenantClient(proxy: proxy, login: tenant)
            let folders = Tables(tenant).folders
            let victim = tenant.others.first { $0.isShared == tenant.isShared } ?? tenant
            for wire in WireProtocol.allCases {
                let context = "\(tenant) [\(wire)]"
                XCTAssertNil(client.run("BEGIN", via: wire).error, context)
                XCTAssertNil(client.run("INSERT INTO \(folders) (id, organization_id, parent_id, name) VALUES (900030, \(tenant.orgID), NULL, 'x')",
                                        via: wire).error, context)
                let refused = client.run("SELECT content FROM \(victim.schema).documents", via: wire)
                XCTAssertEqual(refused.error?.sqlState, "42501", "\(context): \(refused.summary)")
                XCTAssertTrue(refused.error?.message.contains("bulkhead: ") == true, "\(context): \(refused.summary)")
                if !tenant.isShared {
                    XCTAssertTrue(refused.error?.message.contains("schema \(victim.schema) is outside tenant \(tenant.name)") == true,
                                  "\(context): \(refused.summary)")
                }
                XCTAssertEqual(client.run("SELECT 1", via: wire).error?.sqlState, "25P02", "\(context): the transaction must be failed")
                XCTAssertNil(client.run("ROLLBACK", via: wire).error, context)
                XCTAssertFalse(client.isInTransaction, context)
                XCTAssertEqual(client.run("SELECT count(*) FROM \(folders) WHERE id = 900030", via: wire).first, "0", context)
                XCTAssertEqual(client.run("SELECT count(*) FROM \(tenant.documentsTable)", via: wire).first, "20", context)
            }
        }
        XCTAssertEqual(try data.changedOwners(), [])
    }

    /// A tenant's COPY FROM STDIN into its own table through the extended protocol, then more extended queries.
    func testCopyFromStdinThroughTheExtendedProtocolLeavesTheSessionUsable() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolMode: "session", poolSize: 1))
        defer { proxy.stop() }
        let data = try TenantDataGuard()
        defer { try? data.removeAttackRows() }
        let client = try TenantClient(proxy: proxy, login: .initech)
        let copy = client.run("COPY folders (id, organization_id, parent_id, name) FROM STDIN", via: .extended,
                              copyData: "900040\t3\t\\N\tcopied\n")
        XCTAssertNil(copy.error, copy.summary)
        let after = client.run("SELECT name FROM folders WHERE id = $1", parameters: ["900040"], via: .extended)
        XCTAssertEqual(after.first, "copied", after.summary)
        XCTAssertNil(client.run("DELETE FROM folders WHERE id = $1", parameters: ["900040"], via: .extended).error)
    }
}
