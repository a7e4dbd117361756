// The schema-per-tenant attacks: a tenant of docs_by_schema tries to reach another tenant's schema.

extension TenantAttackCatalog {
    private static let documentColumns = "id, organization_id, folder_id, owner_id, title"

    static let schema: [TenantAttack] = schemaReads + schemaSettings + setConfigAttacks(ownTable: "documents")
        + schemaMessages + schemaWrites + schemaConflicts + schemaFunctions + schemaCopy
        + catalogViews(qualifiedOwnTable: "documents") + estimateReads(namespace: "'{vschema}'")
        + sessionState(ownTable: "documents")

    private static let schemaReads: [TenantAttack] = [
        "SELECT content FROM {vschema}.documents",
        "SELECT content FROM \"{vschema}\".documents",
        "SELECT content FROM {VSCHEMA}.documents",
        "SELECT content FROM \"{VSCHEMA}\".documents",
        "SELECT content FROM U&\"tenant\\005f{vname}\".documents",
        "SELECT content FROM U&\"tenant!005f{vname}\" UESCAPE '!'.documents",
        "SELECT content FROM docs.{vschema}.documents",
        "SELECT content FROM \"docs\".\"{vschema}\".\"documents\"",
        "SELECT content FROM {vschema} . documents",
        "SELECT content FROM {vschema}/**/.documents",
        "SELECT content FROM ONLY {vschema}.documents",
        "SELECT d.content FROM {vschema}.documents AS d WHERE d.id = {vdoc}",
        "SELECT content FROM app.documents",
        "SELECT email FROM auth.users",
        "SELECT name FROM public.plans",
        "SELECT content FROM tenant_acme.documents",
        "SELECT content FROM tenant_globex.document_versions",
        "SELECT d.content FROM documents d JOIN {vschema}.folders f ON f.id = d.folder_id",
        "SELECT (SELECT content FROM {vschema}.documents LIMIT 1)",
        "SELECT * FROM documents WHERE EXISTS (SELECT 1 FROM {vschema}.documents WHERE content LIKE 'SECRET%')",
        "SELECT content FROM documents UNION SELECT content FROM {vschema}.documents",
        "SELECT * FROM documents, LATERAL (SELECT content FROM {vschema}.document_versions) v",
        "WITH documents AS (SELECT * FROM {vschema}.documents) SELECT * FROM documents",
        "SELECT content FROM information_schema.documents",
        "SELECT content FROM {vschema}.documents TABLESAMPLE SYSTEM (100)",
        "SELECT * FROM ROWS FROM (jsonb_to_recordset((SELECT jsonb_agg(d) FROM {vschema}.documents d))) AS x(content text)",
    ].map { TenantAttack(.identifiers, $0, .refused) } + [
        TenantAttack(.identifiers, "SELECT content FROM {oschema}.documents WHERE id = {odoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM docs.{oschema}.documents WHERE id = {odoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM \"{oschema}\".\"documents\" WHERE id = {odoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM documents WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM DOCUMENTS WHERE organization_id = {vid}", .runs),
        TenantAttack(.identifiers, "SELECT {vschema}.documents.content FROM documents", .fails(["42P01"])),
        // Metadata is readable, but with server_role the server's own privileges may refuse it (42501).
        TenantAttack(.identifiers, "SELECT '{vschema}.documents'::regclass::oid > 0", .refusedOrRuns, firstValue: "t"),
        TenantAttack(.identifiers, "SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = '{vschema}'::regnamespace", .runs),
    ]

    private static let schemaSettings: [TenantAttack] = [
        "SET search_path = {vschema}", "SET search_path = {vschema}, {oschema}", "SET SCHEMA '{vschema}'",
        "RESET search_path", "SET search_path TO DEFAULT", "SET ROLE {vrole}", "SET ROLE postgres", "RESET ROLE",
        "SET ROLE NONE", "SET SESSION AUTHORIZATION {vrole}", "RESET SESSION AUTHORIZATION", "SET row_security = off",
        "ALTER ROLE {vrole} SET search_path = {oschema}", "ALTER ROLE CURRENT_USER SET search_path = {vschema}",
        "ALTER DATABASE docs SET search_path = {vschema}", "GRANT USAGE ON SCHEMA {vschema} TO PUBLIC",
        "GRANT {vrole} TO CURRENT_USER", "SET client_encoding = 'SJIS'", "SET standard_conforming_strings = off",
        "RESET ALL", "DISCARD ALL", "SET bulkhead.tenant_id = {vid}",
    ].map { TenantAttack(.searchPath, $0, .refused) } + [
        TenantAttack(.searchPath, steps: ["BEGIN", "SET LOCAL search_path = {vschema}", "SELECT content FROM documents"], .refused),
        TenantAttack(.searchPath, steps: ["BEGIN", "SET LOCAL ROLE {vrole}", "SELECT content FROM documents"], .refused),
        TenantAttack(.searchPath, "SHOW search_path", .runs, firstValue: "\"{oschema}\", pg_temp"),
        TenantAttack(.searchPath, "SELECT current_schemas(true)::text", .runs, firstValue: "{pg_catalog,{oschema}}"),
        TenantAttack(.searchPath, "SELECT current_schema()", .runs, firstValue: "{oschema}"),
        TenantAttack(.searchPath, "SET statement_timeout = 1", .runs),
        TenantAttack(.searchPath, "SET default_transaction_read_only = on", .runs),
        TenantAttack(.searchPath, "SET application_name = 'stolen'", .runs),
        pinning(TenantAttack(.searchPath, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", .runs)),
        TenantAttack(.searchPath, "RESET statement_timeout", .runs),
        TenantAttack(.searchPath, "RESET default_transaction_read_only", .runs),
    ]

    private static let schemaMessages: [TenantAttack] = [
        "SELECT 1; SELECT content FROM {vschema}.documents",
        "SET search_path = {vschema}; SELECT content FROM documents",
        "SELECT count(*) FROM documents; SET ROLE {vrole}",
        "BEGIN; SET LOCAL ROLE {vrole}; SELECT content FROM {vschema}.documents; COMMIT",
        "COMMIT; RESET ALL",
        "SELECT 1; DO $$ BEGIN PERFORM 1; END $$",
        "SELECT 1; COPY {vschema}.documents TO STDOUT",
        "BEGIN; SELECT 1; PREPARE TRANSACTION 'bh_attack'",
        "SELECT 1; LISTEN {vname}_events",
    ].map { TenantAttack(.multiStatement, $0, .refused) } + [
        TenantAttack(.multiStatement, "SELECT count(*) FROM documents; SELECT content FROM documents WHERE id = {vdoc}", .runs, extended: .refused),
        TenantAttack(.quoting, "SELECT $$'$$, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT $a$ $$ $a$; SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT 1 /* ; SELECT content FROM {vschema}.documents */", .runs),
        TenantAttack(.quoting, "SELECT 1 /* /* nested */ ; SELECT content FROM {vschema}.documents */", .runs),
        TenantAttack(.quoting, "SELECT 1 -- ; \n, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT 'a'' ; SELECT content FROM {vschema}.documents --'", .runs),
        TenantAttack(.quoting, "SELECT E'\\'; SELECT content FROM {vschema}.documents; --'", .runs),
        TenantAttack(.quoting, "SELECT E'\\\\'; SELECT content FROM {vschema}.documents; --'", .refused),
        TenantAttack(.quoting, "SELECT U&'\\0027'; SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT $tag$ $$; SET search_path = {vschema}; $$ $tag$", .runs),
        TenantAttack(.quoting, "SELECT content FROM documents WHERE id = {odoc} --\r, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT content FROM \"documents\"\"\"", .fails(["42P01"])),
        TenantAttack(.quoting, "SELECT content FROM documents WHERE title = $$x$$ OR true", .runs),
        TenantAttack(.quoting, "SELECT $q$SELECT content FROM {vschema}.documents$q$", .runs),
    ]

    private static let schemaWrites: [TenantAttack] = [
        "INSERT INTO {vschema}.documents (\(documentColumns)) VALUES (900001, {vid}, {vfolder}, {vuser}, 'x')",
        "UPDATE {vschema}.documents SET content = 'pwned'",
        "UPDATE {VSCHEMA}.documents SET content = 'pwned'",
        "DELETE FROM {vschema}.documents",
        "DELETE FROM U&\"tenant\\005f{vname}\".documents",
        "DELETE FROM docs.{vschema}.document_versions",
        "INSERT INTO documents (\(documentColumns)) SELECT id + 900000, organization_id, folder_id, owner_id, title FROM {vschema}.documents",
        "UPDATE documents d SET content = v.content FROM {vschema}.documents v WHERE v.id = d.id + 1000",
        "DELETE FROM documents USING {vschema}.documents v WHERE false",
        "UPDATE documents SET title = title WHERE id IN (SELECT id FROM {vschema}.documents)",
        "TRUNCATE {vschema}.documents",
        "TRUNCATE documents",
        "MERGE INTO documents USING {vschema}.documents v ON false WHEN NOT MATCHED THEN DO NOTHING",
        "INSERT INTO public.plans (name, max_documents) VALUES ('x', 1)",
        "UPDATE pg_catalog.pg_class SET relname = 'x' WHERE false",
        "ALTER TABLE {vschema}.documents OWNER TO CURRENT_USER",
        "DROP TABLE {vschema}.documents",
        "CREATE TABLE {vschema}.x (y int)",
    ].map { TenantAttack(.crossWrites, $0, .refused) } + [
        TenantAttack(.crossWrites, "UPDATE documents SET content = 'pwned' WHERE id = {vdoc}", .runs),
        TenantAttack(.crossWrites, "DELETE FROM documents WHERE id = {vdoc}", .runs),
        TenantAttack(.crossWrites, "UPDATE documents SET content = 'x' WHERE CURRENT OF c", .fails(["34000"])),
        TenantAttack(.crossWrites, "DELETE FROM plans", .fails(["42P01"])),
        TenantAttack(.returning, "UPDATE documents SET title = title WHERE id = {odoc} RETURNING (SELECT content FROM {vschema}.documents LIMIT 1)", .refused),
        TenantAttack(.returning, "DELETE FROM documents WHERE false RETURNING (SELECT string_agg(content, ',') FROM {vschema}.documents)", .refused),
        TenantAttack(.returning, "INSERT INTO folders (id, organization_id, name) VALUES (900001, {oid}, 'x') RETURNING (SELECT string_agg(name, ',') FROM {vschema}.folders)", .refused),
        TenantAttack(.returning, "UPDATE documents SET title = title WHERE id = {odoc} RETURNING set_config('search_path', '{vschema}', false)", .refused),
        TenantAttack(.returning, "INSERT INTO folders (id, organization_id, name) VALUES (900001, {oid}, 'x') RETURNING (SELECT string_agg(content, ',') FROM documents)", .runs),
        TenantAttack(.modifyingCTE, "WITH d AS (DELETE FROM {vschema}.documents RETURNING *) SELECT * FROM d", .refused),
        TenantAttack(.modifyingCTE, "WITH u AS (UPDATE {vschema}.documents SET content = 'x' RETURNING content) SELECT * FROM u", .refused),
        TenantAttack(.modifyingCTE, "WITH x AS (SELECT * FROM {vschema}.documents) INSERT INTO documents (\(documentColumns)) SELECT id + 900000, {oid}, {ofolder}, {ouser}, title FROM x", .refused),
        TenantAttack(.modifyingCTE, "WITH i AS (INSERT INTO {vschema}.folders (id, organization_id, name) VALUES (900001, {vid}, 'x') RETURNING *) SELECT * FROM i", .refused),
        TenantAttack(.modifyingCTE, "WITH RECURSIVE r AS (SELECT id FROM {vschema}.folders UNION SELECT id FROM r) SELECT * FROM r", .refused),
        TenantAttack(.modifyingCTE, "WITH documents AS (SELECT 1) SELECT * FROM {vschema}.documents", .refused),
        TenantAttack(.modifyingCTE, "WITH d AS (DELETE FROM documents WHERE id = {vdoc} RETURNING *) SELECT * FROM d", .runs),
    ]

    private static let schemaConflicts: [TenantAttack] = [
        TenantAttack(.onConflict, "INSERT INTO {vschema}.documents (\(documentColumns)) VALUES ({vdoc}, {vid}, {vfolder}, {vuser}, 'x') ON CONFLICT (id) DO UPDATE SET content = 'pwned'", .refused),
        TenantAttack(.onConflict, "INSERT INTO {vschema}.folders (id, organization_id, name) VALUES (900001, {vid}, 'x') ON CONFLICT DO NOTHING", .refused),
        TenantAttack(.onConflict, "INSERT INTO documents (\(documentColumns)) VALUES ({odoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET content = (SELECT content FROM {vschema}.documents LIMIT 1)", .refused),
        TenantAttack(.onConflict, "INSERT INTO documents (\(documentColumns)) VALUES ({odoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = excluded.title WHERE EXISTS (SELECT 1 FROM {vschema}.documents)", .refused),
        TenantAttack(.onConflict, "INSERT INTO documents (\(documentColumns)) VALUES ({odoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO NOTHING RETURNING (SELECT count(*) FROM {vschema}.documents)", .refused),
        TenantAttack(.onConflict, "INSERT INTO documents AS d (\(documentColumns)) VALUES ({odoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = d.title RETURNING content", .runs),
        TenantAttack(.onConflict, "INSERT INTO documents AS d (\(documentColumns)) VALUES ({odoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = d.title WHERE set_config('role', '{vrole}', true) <> ''", .refused),
    ]

    private static let schemaFunctions: [TenantAttack] = functionAttacks(ownTable: "documents", tableName: "'documents'") + [
        TenantAttack(.functions, "SELECT * FROM leak_view", .fails(["42P01"])),
        TenantAttack(.functions, "SELECT count(*) FROM documents d WHERE has_table_privilege('{vschema}.documents', 'select')", .refusedOrRuns),
        TenantAttack(.functions, "SELECT to_regclass('{vschema}.documents')::text", .refusedOrRuns),
    ]

    private static let schemaCopy: [TenantAttack] = copyAttacks(ownTable: "documents") + [
        TenantAttack(.copy, "COPY documents TO STDOUT", .runs),
        TenantAttack(.copy, "COPY (SELECT content FROM documents) TO STDOUT", .runs),
        TenantAttack(.copy, "COPY folders (id, organization_id, parent_id, name) FROM STDIN", .runs, copyData: "900001\t{oid}\t\\N\tcopied\n"),
        TenantAttack(.copy, "COPY {vschema}.documents (content) TO STDOUT", .refused),
        TenantAttack(.copy, "COPY \"{vschema}\".documents TO STDOUT", .refused),
        TenantAttack(.copy, "COPY public.plans TO STDOUT", .refused),
    ]
}
