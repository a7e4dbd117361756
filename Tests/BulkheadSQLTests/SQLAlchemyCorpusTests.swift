// Legitimate SQLAlchemy 2.0 traffic (the seed guide's patterns) that a well-behaved tenant must be able to run.

import BulkheadSQL
import Foundation
import XCTest

final class SQLAlchemyCorpusTests: XCTestCase {
    private static let documentColumns = "app.documents.id, app.documents.organization_id, app.documents.folder_id, "
        + "app.documents.owner_id, app.documents.title, app.documents.content, app.documents.created_at, "
        + "app.documents.updated_at, app.documents.deleted_at"

    /// Statements as SQLAlchemy renders them for `__table_args__ = {"schema": "app"}` models, with server-side
    /// parameters (asyncpg/psycopg 3) or inlined literals (psycopg2).
    static let sharedSchemaTraffic: [String] = [
        "SELECT 1",
        "select pg_catalog.version()",
        "select current_schema()",
        "show standard_conforming_strings",
        "show transaction isolation level",
        "SHOW default_transaction_read_only",
        "BEGIN",
        "SELECT \(documentColumns) FROM app.documents WHERE app.documents.id = $1::INTEGER",
        "SELECT auth.users.id, auth.users.organization_id, auth.users.email, auth.users.full_name, auth.users.created_at "
            + "FROM auth.users WHERE auth.users.email = $1::VARCHAR",
        "SELECT count(app.documents.id) AS count_1 FROM app.documents WHERE app.documents.organization_id = $1::INTEGER",
        "SELECT \(documentColumns), auth.users.id AS id_1, auth.users.email FROM app.documents JOIN auth.users "
            + "ON auth.users.id = app.documents.owner_id WHERE app.documents.organization_id = $1::INTEGER "
            + "AND app.documents.deleted_at IS NULL",
        "SELECT \(documentColumns) FROM app.documents JOIN auth.users ON auth.users.id = app.documents.owner_id "
            + "WHERE auth.users.email LIKE $1::VARCHAR",
        "SELECT \(documentColumns), users_1.id AS id_1, users_1.email AS email_1 FROM app.documents "
            + "LEFT OUTER JOIN auth.users AS users_1 ON users_1.id = app.documents.owner_id "
            + "WHERE app.documents.organization_id = $1::INTEGER",
        "SELECT app.folders.organization_id AS app_folders_organization_id, app.folders.id AS app_folders_id, "
            + "app.folders.name AS app_folders_name FROM app.folders WHERE app.folders.organization_id IN ($1::INTEGER)",
        "SELECT app.documents.folder_id AS app_documents_folder_id, app.documents.id AS app_documents_id, "
            + "app.documents.title AS app_documents_title FROM app.documents "
            + "WHERE app.documents.folder_id IN ($1::INTEGER, $2::INTEGER, $3::INTEGER)",
        "SELECT app.documents.id, app.documents.title FROM app.documents WHERE app.documents.folder_id IN (101, 102, 103)",
        "SELECT app.folders.id, app.folders.name, anon_1.doc_count FROM app.folders LEFT OUTER JOIN "
            + "(SELECT app.documents.folder_id AS folder_id, count(app.documents.id) AS doc_count FROM app.documents "
            + "GROUP BY app.documents.folder_id) AS anon_1 ON app.folders.id = anon_1.folder_id "
            + "WHERE app.folders.organization_id = $1::INTEGER",
        "SELECT app.folders.id, app.folders.name, app.documents.id AS id_1 FROM app.folders "
            + "LEFT OUTER JOIN app.documents ON app.folders.id = app.documents.folder_id WHERE app.folders.organization_id = 1",
        "INSERT INTO app.documents (organization_id, folder_id, owner_id, title, content, created_at, updated_at, deleted_at) "
            + "VALUES ($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::VARCHAR, $5::VARCHAR, $6::TIMESTAMP WITH TIME ZONE, "
            + "$7::TIMESTAMP WITH TIME ZONE, $8::TIMESTAMP WITH TIME ZONE) RETURNING app.documents.id",
        "INSERT INTO app.documents (organization_id, folder_id, owner_id, title, content) "
            + "VALUES (1, 101, 101, 'hello', 'world') RETURNING app.documents.id",
        "INSERT INTO app.documents (organization_id, folder_id, owner_id, title, created_at, updated_at) VALUES "
            + "(1, 101, 101, 'bulk-1', now(), now()), (1, 101, 101, 'bulk-2', now(), now()), "
            + "(1, 102, 102, 'bulk-3', now(), now())",
        "INSERT INTO app.documents (organization_id, folder_id, owner_id, title) VALUES ($1::INTEGER, $2::INTEGER, "
            + "$3::INTEGER, $4::VARCHAR), ($5::INTEGER, $6::INTEGER, $7::INTEGER, $8::VARCHAR)",
        "INSERT INTO app.documents (organization_id, folder_id, owner_id, title) SELECT p0::INTEGER, p1::INTEGER, "
            + "p2::INTEGER, p3::VARCHAR FROM (VALUES ($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::VARCHAR, 0), "
            + "($5::INTEGER, $6::INTEGER, $7::INTEGER, $8::VARCHAR, 1)) AS imp_sen(p0, p1, p2, p3, sen_counter) "
            + "ORDER BY sen_counter RETURNING app.documents.id, app.documents.id AS id__1",
        "INSERT INTO app.document_versions (organization_id, document_id, version_number, content) "
            + "VALUES ($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::VARCHAR) RETURNING app.document_versions.id",
        "INSERT INTO app.folders (organization_id, parent_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        "UPDATE app.documents SET title=$1::VARCHAR, updated_at=$2::TIMESTAMP WITH TIME ZONE "
            + "WHERE app.documents.id = $3::INTEGER",
        "UPDATE app.documents SET title=$1::VARCHAR, version_id=$2::INTEGER WHERE app.documents.id = $3::INTEGER "
            + "AND app.documents.version_id = $4::INTEGER",
        "UPDATE app.documents SET folder_id=$1::INTEGER WHERE app.documents.folder_id = $2::INTEGER",
        "UPDATE app.documents SET deleted_at=now() WHERE app.documents.id = $1::INTEGER",
        "DELETE FROM app.documents WHERE app.documents.id = $1::INTEGER",
        "DELETE FROM app.document_versions WHERE app.document_versions.document_id = 1001",
        "SELECT \(documentColumns) FROM app.documents WHERE app.documents.id = $1::INTEGER FOR UPDATE",
        "SELECT \(documentColumns) FROM app.documents WHERE app.documents.id = $1::INTEGER FOR UPDATE OF documents",
        "SELECT \(documentColumns) FROM app.documents WHERE app.documents.id = $1::INTEGER FOR SHARE NOWAIT",
        "SAVEPOINT sa_savepoint_1",
        "RELEASE SAVEPOINT sa_savepoint_1",
        "ROLLBACK TO SAVEPOINT sa_savepoint_1",
        "SELECT app.documents.id, app.documents.title, row_number() OVER (PARTITION BY app.documents.folder_id "
            + "ORDER BY app.documents.created_at DESC) AS anon_1 FROM app.documents",
        "SELECT app.documents.id, rank() OVER (ORDER BY app.documents.updated_at) AS rank_1, "
            + "lag(app.documents.title) OVER (ORDER BY app.documents.id) AS lag_1 FROM app.documents",
        "SELECT id, title FROM app.documents WHERE organization_id = 1",
        "SELECT COUNT(*) FROM app.documents",
        "SELECT * FROM app.documents WHERE organization_id = $1",
        "SELECT id, title FROM app.documents WHERE id = $1",
        "SELECT id, title, created_at FROM app.documents",
        "SELECT \(documentColumns) FROM app.documents ORDER BY app.documents.created_at DESC LIMIT $1::INTEGER OFFSET $2::INTEGER",
        "SELECT EXISTS (SELECT * FROM app.documents WHERE app.documents.title = $1::VARCHAR) AS anon_1",
        "SELECT max(app.document_versions.version_number) AS max_1 FROM app.document_versions "
            + "WHERE app.document_versions.document_id = $1::INTEGER",
        "WITH RECURSIVE anon_1(id, parent_id, name) AS (SELECT app.folders.id AS id, app.folders.parent_id AS parent_id, "
            + "app.folders.name AS name FROM app.folders WHERE app.folders.parent_id IS NULL UNION ALL "
            + "SELECT app.folders.id AS id, app.folders.parent_id AS parent_id, app.folders.name AS name "
            + "FROM app.folders JOIN anon_1 ON app.folders.parent_id = anon_1.id) SELECT anon_1.id, anon_1.name FROM anon_1",
        "SELECT app.organizations.id, app.organizations.name FROM app.organizations WHERE app.organizations.id = $1::INTEGER",
        "SELECT public.plans.id, public.plans.name, public.plans.max_documents FROM public.plans",
        "SELECT plans.id, plans.name FROM plans ORDER BY plans.id",
        "SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON "
            + "pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relkind = "
            + "ANY (ARRAY[$1::VARCHAR, $2::VARCHAR, $3::VARCHAR]) AND pg_catalog.pg_namespace.nspname = $4::VARCHAR",
        "select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where "
            + "pg_catalog.pg_table_is_visible(c.oid) and relname=$1",
        "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod), a.attname FROM pg_catalog.pg_attribute a "
            + "WHERE a.attrelid = 'app.documents'::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        "SELECT t.oid, typarray FROM pg_type t JOIN pg_namespace ns ON typnamespace = ns.oid WHERE typname = 'hstore'",
        "COMMIT",
        "ROLLBACK",
    ]

    func testSharedSchemaTrafficIsAllowedAndConfined() {
        XCTAssertGreaterThanOrEqual(Self.sharedSchemaTraffic.count, 50)
        for sql in Self.sharedSchemaTraffic {
            assertConfined(sql)
        }
    }

    func testSchemaPerTenantTrafficIsForwardedUnchangedButForPgClass() {
        for sql in Self.sharedSchemaTraffic {
            // Without `schema="app"` on the models, the same traffic names tables unqualified.
            let unqualified = sql.replacingAll("app.", with: "").replacingAll("auth.", with: "")
            guard let forwarded = assertAllowed(unqualified, Policies.acmeSchema) else { continue }
            if unqualified.contains("pg_class") {
                EstimateChecker.check(forwarded, sql: unqualified)
            } else {
                XCTAssertEqual(forwarded, unqualified)
            }
        }
    }

    func testRewrittenFormsAreExact() {
        let cases: [(String, String)] = [
            ("SELECT app.documents.id FROM app.documents WHERE app.documents.id = $1::INTEGER",
             "SELECT documents.id FROM (SELECT * FROM \"app\".\"documents\" WHERE \"documents\".\"organization_id\" = ANY ('{1}')) "
                + "AS \"documents\" WHERE documents.id = $1::INTEGER"),
            ("UPDATE app.documents SET title=$1::VARCHAR, version_id=$2::INTEGER WHERE app.documents.id = $3::INTEGER "
                + "AND app.documents.version_id = $4::INTEGER",
             "UPDATE app.documents SET title=$1::VARCHAR, version_id=$2::INTEGER WHERE \"documents\".\"organization_id\" = "
                + "ANY ('{1}') AND (documents.id = $3::INTEGER AND documents.version_id = $4::INTEGER)"),
            ("INSERT INTO app.documents (organization_id, title) VALUES ($1::INTEGER, $2::VARCHAR) RETURNING app.documents.id",
             "INSERT INTO app.documents (organization_id, title) VALUES (CASE WHEN ($1::INTEGER) = 1 THEN 1 END, "
                + "$2::VARCHAR) RETURNING documents.id"),
            ("INSERT INTO app.folders (parent_id, name) VALUES (NULL, 'a'), (101, 'b')",
             "INSERT INTO app.folders (parent_id, name, \"organization_id\") VALUES (NULL, 'a', 1), (101, 'b', 1)"),
            ("DELETE FROM app.documents WHERE app.documents.id = $1::INTEGER",
             "DELETE FROM app.documents WHERE \"documents\".\"organization_id\" = ANY ('{1}') AND (documents.id = $1::INTEGER)"),
            ("SELECT * FROM plans", "SELECT * FROM \"public\".plans"),
            ("SELECT 1", "SELECT 1"),
        ]
        for (sql, expected) in cases {
            XCTAssertEqual(assertAllowed(sql, Policies.acmeShared), expected)
        }
    }

    func testExtendedProtocolParseTextIsCheckedLikeASimpleQuery() throws {
        let verdict = try TenantGate.check("SELECT title FROM app.documents WHERE id = $1", policy: Policies.acmeShared).get()
        XCTAssertTrue(verdict.isRewritten)
        XCTAssertEqual(verdict.statementCount, 1)
        let parsed = try SQLParser.parse(verdict.sql).get()
        var parameters: [Int64] = []
        parsed.statements[0].node.walk { node in
            if node.kind == "ParamRef" { parameters.append(node.integer("number")) }
            return true
        }
        XCTAssertEqual(parameters, [1], "the rewrite keeps the client's parameters")
    }
}

private extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
