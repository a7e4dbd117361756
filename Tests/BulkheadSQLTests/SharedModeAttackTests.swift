// Attacks by tenant acme (organization 1) in the shared schema: each is refused or provably confined.

import BulkheadSQL
import XCTest

final class SharedModeAttackTests: XCTestCase {
    private let policy = Policies.acmeShared

    /// Must be refused outright.
    static let refusals: [String] = [
        // Tables outside the configuration, in any spelling.
        "SELECT * FROM app.secrets",
        "SELECT * FROM \"App\".documents",
        "SELECT * FROM public.documents",
        "SELECT * FROM tenant_globex.documents",
        "SELECT * FROM app.documents_id_seq",
        "SELECT * FROM app.documents_view",
        "SELECT * FROM secrets",
        "SELECT * FROM pg_temp.documents",
        // Session escapes.
        "SET search_path = tenant_globex",
        "SET ROLE postgres",
        "SET bulkhead.tenant_id = 2",
        "SELECT set_config('bulkhead.tenant_id', '2', true)",
        "SELECT * FROM app.documents WHERE set_config('bulkhead.tenant_id', '2', true) = '2'",
        "SELECT current_setting('bulkhead.tenant_id')",
        "RESET ALL",
        "SET standard_conforming_strings TO off",
        // Row locks on rows every tenant shares.
        "SELECT * FROM public.plans FOR UPDATE",
        "SELECT * FROM plans FOR NO KEY UPDATE",
        "SELECT * FROM app.documents d JOIN public.plans p ON true FOR UPDATE",
        "SELECT * FROM public.plans JOIN app.documents d ON true FOR SHARE OF plans",
        "SELECT * FROM (SELECT * FROM public.plans) s, app.documents FOR UPDATE",
        "SELECT * FROM pg_catalog.pg_class FOR UPDATE",
        // Cross-tenant writes.
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', 2)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', 1), ('y', 2)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', -1)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', '2')",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', 1.0)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', NULL)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', DEFAULT)",
        "INSERT INTO app.documents VALUES (1, 2, 3, 4, 'x')",
        "INSERT INTO app.documents DEFAULT VALUES",
        "INSERT INTO app.documents (title, organization_id) SELECT title, 2 FROM app.documents",
        "INSERT INTO app.documents (title) SELECT title FROM app.documents",
        "INSERT INTO app.organizations (id, name) VALUES (2, 'globex-2')",
        "UPDATE app.documents SET organization_id = 2",
        "UPDATE app.documents SET organization_id = 1 WHERE id = 2001",
        "UPDATE app.documents SET (title, organization_id) = ('x', 2)",
        "UPDATE auth.users SET organization_id = 2 WHERE id = 101",
        "UPDATE app.organizations SET id = 2",
        "WITH x AS (UPDATE app.documents SET organization_id = 2 RETURNING *) SELECT 1",
        "WITH x AS (INSERT INTO app.documents (title, organization_id) VALUES ('a', 2) RETURNING *) SELECT 1",
        "INSERT INTO app.documents (id, title, organization_id) VALUES (1, 'x', 1) ON CONFLICT (id) DO UPDATE SET organization_id = 2",
        "INSERT INTO app.documents (id, title, organization_id) VALUES (1, 'x', 1) ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id",
        "UPDATE public.plans SET max_documents = 0",
        "DELETE FROM plans",
        "INSERT INTO public.plans (name, max_documents) VALUES ('x', 1)",
        "TRUNCATE app.documents",
        "MERGE INTO app.documents d USING app.folders f ON f.id = d.folder_id WHEN MATCHED THEN DELETE",
        "DELETE FROM app.documents WHERE CURRENT OF c",
        // COPY.
        "COPY app.documents TO STDOUT",
        "COPY app.documents FROM STDIN",
        "COPY app.documents (title) FROM STDIN",
        "COPY public.plans FROM STDIN",
        "COPY app.documents TO '/tmp/x'",
        // Forms the rewrite cannot confine.
        "TABLE app.documents",
        "SELECT * FROM app.documents TABLESAMPLE system (50)",
        "SELECT * FROM ONLY (app.documents)",
        // Catalog and statistics.
        "SELECT * FROM pg_stats WHERE tablename = 'documents'",
        "SELECT * FROM pg_catalog.pg_statistic",
        "SELECT * FROM pg_stat_activity",
        "SELECT * FROM pg_stat_statements",
        "SELECT * FROM app.documents d WHERE d.title IN (SELECT unnest(most_common_vals::text::text[]) FROM pg_stats)",
        // Functions reading across tenants.
        "SELECT query_to_xml('select * from app.documents', true, true, '')",
        "SELECT ts_stat('select to_tsvector(content) from app.documents')",
        "SELECT * FROM app.documents_of(2)",
        "SELECT app.count_all_documents()",
        "SELECT nextval('app.documents_id_seq')",
        "SELECT setval('app.documents_id_seq', 1)",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_notify('x', 'y')",
        // Prepared statements, cursors, temp tables, LISTEN/NOTIFY.
        "PREPARE p AS SELECT * FROM app.documents",
        "EXECUTE p",
        "DECLARE c CURSOR WITH HOLD FOR SELECT * FROM app.documents",
        "CREATE TEMP TABLE t AS SELECT * FROM app.documents",
        "SELECT * INTO TEMP t FROM app.documents",
        "LISTEN documents_changed",
        "NOTIFY documents_changed",
        // Multi-statement.
        "SELECT 1; SELECT * FROM app.secrets",
        "SELECT * FROM app.documents; SET search_path = x",
    ]

    /// Must be accepted, with every tenant-table reference confined to organization 1.
    static let confined: [String] = [
        // Identifier spellings of tenant tables.
        "SELECT * FROM app.documents",
        "SELECT * FROM \"app\".\"documents\"",
        "SELECT * FROM APP.DOCUMENTS",
        "SELECT * FROM U&\"\\0061pp\".documents",
        "SELECT * FROM docs.app.documents",
        "SELECT * FROM documents",
        "SELECT * FROM users",
        "SELECT * FROM app . documents AS d",
        "SELECT * FROM app/**/./**/documents d",
        "SELECT * FROM ONLY app.documents",
        "SELECT * FROM app.documents *",
        "SELECT d.* FROM app.documents AS d(a, b)",
        // Predicates that try to widen the result.
        "SELECT * FROM app.documents WHERE true --",
        "SELECT * FROM app.documents WHERE organization_id = 2",
        "SELECT * FROM app.documents WHERE organization_id = 1 OR true",
        "SELECT * FROM app.documents d WHERE d.organization_id IN (1, 2, 3, 4)",
        "SELECT * FROM (SELECT * FROM app.documents WHERE documents.organization_id = 2) AS d",
        "SELECT * FROM (SELECT * FROM app.documents WHERE documents.organization_id = 1 OR true) AS d",
        "SELECT * FROM (SELECT * FROM app.documents WHERE documents.owner_id = 1) AS d",
        "SELECT * FROM (SELECT * FROM app.documents WHERE documents.organization_id = 1 LIMIT 5) AS d",
        "SELECT * FROM (SELECT * FROM documents WHERE documents.organization_id = 1) AS d",
        "SELECT * FROM (SELECT * FROM app.documents documents WHERE documents.organization_id = 1) AS d",
        // Every place a table can hide.
        "SELECT * FROM app.documents d JOIN auth.users u ON u.id = d.owner_id",
        "SELECT * FROM app.documents d LEFT JOIN app.folders f ON f.id = d.folder_id",
        "SELECT * FROM app.documents d FULL JOIN app.document_versions v ON v.document_id = d.id",
        "SELECT * FROM app.documents NATURAL JOIN app.folders",
        "SELECT * FROM app.documents, app.folders",
        "SELECT * FROM app.documents d, LATERAL (SELECT * FROM app.document_versions v WHERE v.document_id = d.id) x",
        "SELECT * FROM app.documents WHERE id IN (SELECT document_id FROM app.document_versions)",
        "SELECT * FROM app.folders f WHERE EXISTS (SELECT 1 FROM app.documents d WHERE d.folder_id = f.id)",
        "SELECT (SELECT string_agg(content, ',') FROM app.documents)",
        "SELECT ARRAY(SELECT title FROM app.documents)",
        "SELECT * FROM app.documents ORDER BY (SELECT max(id) FROM app.folders)",
        "SELECT title FROM app.documents UNION SELECT name FROM app.folders",
        "SELECT title FROM app.documents UNION ALL (SELECT name FROM app.folders ORDER BY 1 LIMIT 3)",
        "SELECT id FROM app.documents INTERSECT SELECT document_id FROM app.document_versions",
        "WITH x AS (SELECT * FROM app.documents) SELECT * FROM x",
        "WITH documents AS (SELECT * FROM documents) SELECT * FROM documents",
        "WITH documents AS (SELECT 1) SELECT * FROM app.documents",
        "WITH RECURSIVE tree AS (SELECT * FROM app.folders WHERE parent_id IS NULL UNION ALL SELECT f.* FROM app.folders f JOIN tree t ON f.parent_id = t.id) SELECT * FROM tree",
        "SELECT * FROM app.documents d JOIN app.organizations o ON o.id = d.organization_id",
        "SELECT * FROM public.plans p, app.organizations o",
        "VALUES ((SELECT count(*) FROM app.documents))",
        "SELECT count(*) FILTER (WHERE id IN (SELECT id FROM app.documents)) FROM app.folders",
        "SELECT app.documents.id, app.documents.title FROM app.documents WHERE app.documents.id = 1",
        "SELECT * FROM app.documents FOR UPDATE",
        "SELECT * FROM app.documents d FOR UPDATE OF d SKIP LOCKED",
        "SELECT * FROM app.documents WHERE id = $1",
        "SELECT * FROM app.documents WHERE organization_id = $1 AND id = ANY($2)",
        // Writes confined to the tenant's rows.
        "UPDATE app.documents SET title = 'x'",
        "UPDATE app.documents SET title = 'x' WHERE true --",
        "UPDATE app.documents SET title = 'x' WHERE id = 2001 OR true",
        "UPDATE app.documents SET title = 'x' WHERE documents.organization_id = 1 OR true",
        "UPDATE app.documents d SET title = 'x' WHERE documents.organization_id = 1",
        "UPDATE app.documents d SET title = f.name FROM app.folders f WHERE f.id = d.folder_id",
        "UPDATE app.documents SET title = (SELECT content FROM app.documents WHERE id = 2001)",
        "UPDATE app.documents SET title = 'x' RETURNING (SELECT content FROM app.documents WHERE id = 2001)",
        "UPDATE ONLY app.documents SET title = 'x' WHERE id = 1 RETURNING *",
        "UPDATE documents SET title = 'x'",
        "UPDATE app.organizations SET name = 'x'",
        "DELETE FROM app.documents",
        "DELETE FROM app.documents WHERE true --",
        "DELETE FROM app.documents WHERE id = 1 OR 1 = 1 RETURNING *",
        "DELETE FROM app.documents d USING app.folders f WHERE f.id = d.folder_id",
        "DELETE FROM app.documents WHERE id IN (SELECT document_id FROM app.document_versions) RETURNING id",
        "WITH d AS (DELETE FROM app.documents RETURNING *) SELECT * FROM d",
        "WITH u AS (UPDATE app.documents SET title = 'x' WHERE true RETURNING id) SELECT count(*) FROM u",
        "WITH i AS (INSERT INTO app.documents (title) VALUES ('x') RETURNING *) SELECT * FROM i",
        "INSERT INTO app.documents (title) VALUES ('x')",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', 1)",
        "INSERT INTO app.documents (title, organization_id) VALUES ($1, $2)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', 1 + 1)",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', (SELECT 2))",
        "INSERT INTO app.documents (title, organization_id) VALUES ('x', (SELECT organization_id FROM app.folders WHERE id = 201))",
        "INSERT INTO app.documents (organization_id, title) VALUES ($1, $2), ($3, $4), ($5, $6)",
        "INSERT INTO app.documents AS d (title) VALUES ('x') RETURNING d.id",
        "INSERT INTO documents (title) VALUES ('x')",
        "INSERT INTO app.documents (title, organization_id) SELECT title, 1 FROM app.documents",
        "INSERT INTO app.documents (title, organization_id) SELECT title, organization_id FROM app.documents",
        "INSERT INTO app.documents (id, title, organization_id) VALUES (2001, 'x', 1) ON CONFLICT (id) DO NOTHING",
        "INSERT INTO app.documents (id, title, organization_id) VALUES (2001, 'x', 1) ON CONFLICT (id) DO UPDATE SET title = excluded.title",
        "INSERT INTO app.documents (id, title, organization_id) VALUES (2001, 'x', 1) ON CONFLICT (id) DO UPDATE SET title = 'y' WHERE true RETURNING *",
        "INSERT INTO app.documents (id, title) VALUES (2001, 'x') ON CONFLICT (id) DO UPDATE SET title = (SELECT title FROM app.documents WHERE id = 2002)",
        "INSERT INTO app.documents (title) VALUES ('x') RETURNING (SELECT count(*) FROM app.documents)",
        // COPY and EXPLAIN and cursors.
        "COPY (SELECT * FROM app.documents) TO STDOUT",
        "COPY (DELETE FROM app.documents RETURNING *) TO STDOUT",
        "COPY (SELECT * FROM app.documents WHERE true --\n) TO STDOUT WITH (FORMAT csv)",
        "EXPLAIN SELECT * FROM app.documents",
        "EXPLAIN VERBOSE DELETE FROM app.documents",
        "DECLARE c CURSOR FOR SELECT * FROM app.documents",
        "DECLARE c SCROLL CURSOR FOR SELECT * FROM app.documents FOR UPDATE",
        "SELECT * FROM app.documents d JOIN public.plans p ON true FOR UPDATE OF d",
        "SELECT * FROM (SELECT * FROM public.plans) s, app.documents FOR UPDATE OF documents",
        // Multi-statement messages are confined statement by statement.
        "SELECT * FROM app.documents; DELETE FROM app.folders; SELECT * FROM auth.users",
        "BEGIN; UPDATE app.documents SET title = 'x' WHERE id = 1; COMMIT",
    ]

    func testRefusals() {
        for sql in Self.refusals {
            assertRefused(sql, policy)
        }
    }

    func testConfinedRewrites() {
        for sql in Self.confined {
            assertConfined(sql, policy)
        }
    }

    func testAttackCorpusIsLargeEnough() {
        XCTAssertGreaterThanOrEqual(Self.refusals.count + Self.confined.count + SchemaModeAttackTests.attacks.count, 150)
    }

    func testEveryAttackOnTheSchemaLayoutIsAlsoRefusedOrConfinedInTheSharedLayout() {
        for sql in SchemaModeAttackTests.attacks {
            switch TenantGate.check(sql, policy: policy) {
            case .failure: continue
            case .success(let verdict): ConfinementChecker.check(verdict.sql, file: #filePath, line: #line)
            }
        }
    }

    func testRefusalDetails() {
        assertRefused("INSERT INTO app.documents (title, organization_id) VALUES ('x', 2)", policy, state: "42501",
                      containing: "organization_id = 2, outside tenant acme")
        assertRefused("UPDATE public.plans SET max_documents = 0", policy, containing: "global table public.plans is read-only")
        assertRefused("SELECT * FROM app.secrets", policy, containing: "relation app.secrets is outside tenant acme")
        assertRefused("COPY app.documents TO STDOUT", policy, state: "0A000", containing: "COPY (SELECT")
        assertRefused("TABLE app.documents", policy, state: "42501", containing: "could not be confined")
        assertRefused("SELECT * FROM app.documents JOIN public.plans p ON true FOR UPDATE", policy, state: "42501",
                      containing: "FOR UPDATE/SHARE of global table public.plans")
    }
}
