// The shared-schema attacks: a tenant of docs_shared tries to read or change another tenant's rows.

/// Attack tables as data; `{placeholders}` are filled per attacker/victim pair by `AttackPair.expand`.
enum TenantAttackCatalog {
    /// A statement that inserts a document into the attacker's own data (ids 900000+, cleaned up after each attack).
    private static let ownDocumentColumns = "id, organization_id, folder_id, owner_id, title"

    static let shared: [TenantAttack] = sharedReads + sharedSettings + sharedSetConfig + sharedMessages + sharedWrites
        + sharedConflicts + sharedFunctions + sharedCopy + catalogViews(qualifiedOwnTable: "app.documents") + estimateReads(namespace: "'app'") + sharedExplain
        + sessionState(ownTable: "app.documents")

    private static let sharedReads: [TenantAttack] = [
        TenantAttack(.identifiers, "SELECT content FROM app.documents WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM \"app\".\"documents\" WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM APP.DOCUMENTS WHERE organization_id = {vid}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM U&\"app\".U&\"document\\0073\" WHERE id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT d.content FROM U&\"\\0061pp\".documents AS d WHERE d.id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT content FROM docs.app.documents WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM \"docs\".\"app\".\"documents\" WHERE id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT content FROM otherdb.app.documents WHERE id = {vdoc}", .failsOrRuns(["0A000"])),
        TenantAttack(.identifiers, "SELECT content FROM ONLY app.documents WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM app.documents * WHERE id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM app . documents WHERE id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT content FROM app/**/./* x */documents WHERE id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT app.documents.content FROM app.documents WHERE app.documents.id = {vdoc}", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT x.content FROM app.documents x(a, b, c) WHERE a = {vdoc} OR b = {vid}", .refusedOrRuns),
        TenantAttack(.identifiers, "TABLE app.documents", .refusedOrRuns),
        TenantAttack(.identifiers, "SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.identifiers, "SELECT content FROM \"{vschema}\".\"documents\"", .refused),
        TenantAttack(.identifiers, "SELECT content FROM U&\"tenant\\005f{vname}\".documents", .refused),
        TenantAttack(.identifiers, "SELECT content FROM docs.{vschema}.documents", .refused),
        TenantAttack(.identifiers, "SELECT content FROM \"APP\".\"DOCUMENTS\"", .refused),
        TenantAttack(.identifiers, "SELECT content FROM documents", .refused),
        TenantAttack(.identifiers, "SELECT content FROM pg_catalog.documents", .refused),
        TenantAttack(.identifiers, "SELECT email FROM auth.users WHERE organization_id = {vid}", .runs),
        TenantAttack(.identifiers, "SELECT name FROM app.organizations WHERE id = {vid}", .runs),
        TenantAttack(.identifiers, "SELECT (SELECT content FROM app.documents d WHERE d.id = {vdoc})", .runs),
        TenantAttack(.identifiers, "SELECT v.content FROM app.documents o JOIN app.document_versions v ON v.document_id = {vdoc}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM app.documents UNION ALL SELECT content FROM app.document_versions WHERE organization_id = {vid}", .runs),
        TenantAttack(.identifiers, "SELECT s.content FROM (SELECT * FROM app.documents WHERE documents.organization_id = {vid}) s", .runs),
        TenantAttack(.identifiers, "SELECT s.content FROM (SELECT * FROM app.documents WHERE documents.organization_id = {vid} OFFSET 0) s", .runs),
        TenantAttack(.identifiers, "SELECT x.content FROM LATERAL (SELECT * FROM app.documents) x WHERE x.organization_id <> {oid}", .runs),
        TenantAttack(.identifiers, "SELECT content FROM app.documents WHERE true OR organization_id = {vid} -- AND organization_id = {oid}", .runs),
        TenantAttack(.identifiers, "SELECT name FROM public.plans", .runs),
        TenantAttack(.identifiers, "SELECT count(*) FROM app.documents d, app.documents e WHERE d.organization_id <> e.organization_id", .runs, firstValue: "0"),
    ]

    private static let sharedSettings: [TenantAttack] = [
        TenantAttack(.searchPath, "SET search_path = {vschema}, app", .refused),
        TenantAttack(.searchPath, "SET search_path TO DEFAULT", .refused),
        TenantAttack(.searchPath, "SET SCHEMA 'app'", .refused),
        TenantAttack(.searchPath, "RESET search_path", .refused),
        TenantAttack(.searchPath, steps: ["BEGIN", "SET LOCAL search_path = app, auth", "SELECT content FROM documents"], .refused),
        TenantAttack(.searchPath, "SET SESSION \"search_path\" = app", .refused),
        TenantAttack(.searchPath, "SET ROLE NONE", .refused),
        TenantAttack(.searchPath, "RESET ROLE", .refused),
        TenantAttack(.searchPath, "SET SESSION AUTHORIZATION DEFAULT", .refused),
        TenantAttack(.searchPath, "SET row_security = off", .refused),
        TenantAttack(.searchPath, "SET bulkhead.tenant_id = {vid}", .refused),
        TenantAttack(.searchPath, steps: ["BEGIN", "SET LOCAL bulkhead.tenant_id = '{vid}'"], .refused),
        TenantAttack(.searchPath, "ALTER ROLE CURRENT_USER SET search_path = app", .refused),
        TenantAttack(.searchPath, "ALTER DATABASE docs SET search_path = app", .refused),
        TenantAttack(.searchPath, "SET client_encoding = 'SJIS'", .refused),
        TenantAttack(.searchPath, "SET NAMES 'GBK'", .refused),
        TenantAttack(.searchPath, "SET standard_conforming_strings = off", .refused),
        TenantAttack(.searchPath, "RESET ALL", .refused),
        TenantAttack(.searchPath, "DISCARD ALL", .refused),
        TenantAttack(.searchPath, "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'", .refused),
        TenantAttack(.searchPath, "SHOW search_path", .runs, firstValue: "public"),
        TenantAttack(.searchPath, "SELECT current_schemas(true)::text", .runs, firstValue: "{pg_catalog,public}"),
        TenantAttack(.searchPath, "SET statement_timeout = 1", .runs),
        TenantAttack(.searchPath, "SET default_transaction_read_only = on", .runs),
        pinning(TenantAttack(.searchPath, "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", .runs)),
        TenantAttack(.searchPath, "SET application_name = 'stolen'", .runs),
        TenantAttack(.searchPath, "RESET statement_timeout", .runs),
        TenantAttack(.searchPath, "RESET default_transaction_read_only", .runs),
    ]

    /// Marks an attack that pins its server connection under transaction pooling.
    static func pinning(_ attack: TenantAttack) -> TenantAttack {
        var pinned = attack
        pinned.pinsConnection = true
        return pinned
    }

    private static let sharedSetConfig: [TenantAttack] = setConfigAttacks(ownTable: "app.documents")

    /// set_config (and current_setting) in every position of a statement; `ownTable` is the attacker's documents.
    static func setConfigAttacks(ownTable: String) -> [TenantAttack] {
        let call = "set_config('search_path', '{vschema}', false)"
        return [
            "SELECT \(call)",
            "SELECT * FROM \(ownTable) ORDER BY \(call)",
            "WITH s AS (SELECT set_config('bulkhead.tenant_id', '{vid}', false)) SELECT * FROM s",
            "SELECT (SELECT set_config('role', '{vrole}', false))",
            "VALUES (\(call))",
            "SELECT coalesce(NULL, \(call))",
            "SELECT lower(\(call))",
            "SELECT id FROM \(ownTable) WHERE \(call) IS NOT NULL",
            "SELECT count(*) FILTER (WHERE \(call) <> '') FROM \(ownTable)",
            "SELECT * FROM generate_series(1, 2) LIMIT length(\(call))",
            "SELECT id FROM \(ownTable) GROUP BY id HAVING \(call) <> ''",
            "SELECT row_number() OVER (ORDER BY \(call)) FROM \(ownTable)",
            "SELECT ARRAY[\(call)]",
            "SELECT CASE WHEN false THEN \(call) END",
            "SELECT * FROM ROWS FROM (\(call)) AS r",
            "SELECT pg_catalog.set_config('search_path', '{vschema}', true)",
            "SELECT \"set_config\"('search_path', '{vschema}', false)",
            "SELECT U&\"set\\005fconfig\"('search_path', '{vschema}', false)",
            "SELECT PG_CATALOG.SET_CONFIG('role', '{vrole}', false)",
            "SELECT docs.pg_catalog.set_config('search_path', '{vschema}', false)",
            "SELECT set_config(setting_name => 'search_path', new_value => '{vschema}', is_local => false)",
            "EXPLAIN SELECT \(call)",
            "UPDATE \(ownTable) SET title = set_config('search_path', '{vschema}', false) WHERE id = {vdoc}",
            "DELETE FROM \(ownTable) WHERE id = {vdoc} RETURNING \(call)",
            "SELECT current_setting('bulkhead.tenant_id', true)",
            "SELECT current_setting('search_path')",
            "SELECT * FROM \(ownTable) WHERE title = current_setting('application_name')",
        ].map { TenantAttack(.setConfig, $0, .refused) } + [
            TenantAttack(.setConfig, "SELECT set_config($1, $2, false)", .refused, parameters: ["search_path", "{vschema}"]),
            TenantAttack(.setConfig, steps: ["BEGIN", "SELECT set_config('search_path', '{vschema}', true)"], .refused),
        ]
    }

    private static let sharedMessages: [TenantAttack] = [
        TenantAttack(.multiStatement, "SELECT 1; SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.multiStatement, "SELECT 1; SET search_path = app; SELECT content FROM documents", .refused),
        TenantAttack(.multiStatement, "BEGIN; SET LOCAL search_path = app; SELECT content FROM documents; COMMIT", .refused),
        TenantAttack(.multiStatement, "COMMIT; RESET ALL", .refused),
        TenantAttack(.multiStatement, "SELECT 1;;; SELECT set_config('a.b', 'c', false)", .refused),
        TenantAttack(.multiStatement, "SELECT count(*) FROM app.documents; DELETE FROM app.documents WHERE organization_id = {vid}",
                     .runs, extended: .refused),
        TenantAttack(.multiStatement, "SELECT 1; COPY app.documents TO STDOUT", .refused),
        TenantAttack(.multiStatement, "BEGIN; SELECT 1; PREPARE TRANSACTION 'bh_attack'", .refused),
        TenantAttack(.multiStatement, "SELECT 1; LISTEN {vname}_events", .refused),
        TenantAttack(.multiStatement, "UPDATE app.documents SET content = 'pwned' WHERE id = {vdoc}; SELECT content FROM app.documents WHERE id = {vdoc}",
                     .runs, extended: .refused),
        TenantAttack(.quoting, "SELECT $$'$$, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT $a$ $$ $a$; SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT 1 /* ; SELECT content FROM {vschema}.documents */", .runs),
        TenantAttack(.quoting, "SELECT 1 /* /* nested */ ; SELECT content FROM {vschema}.documents */", .runs),
        TenantAttack(.quoting, "SELECT 1 -- ; \n, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT 'a'' ; SELECT content FROM {vschema}.documents --'", .runs),
        TenantAttack(.quoting, "SELECT E'\\'; SELECT content FROM {vschema}.documents; --'", .runs),
        TenantAttack(.quoting, "SELECT E'\\\\'; SELECT content FROM {vschema}.documents; --'", .refused),
        TenantAttack(.quoting, "SELECT U&'\\0027'; SELECT content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT $tag$ $$; DELETE FROM app.documents; $$ $tag$", .runs),
        TenantAttack(.quoting, "SELECT content FROM app.documents WHERE title = $$x$$ OR true", .runs),
        TenantAttack(.quoting, "UPDATE app.documents SET title = title WHERE true RETURNING content -- AND organization_id = {oid}", .runs),
        TenantAttack(.quoting, "SELECT content FROM app.documents WHERE organization_id = {vid} /* ) OR (true */", .runs),
        TenantAttack(.quoting, "SELECT content FROM app.documents WHERE id = {vdoc} --\r, content FROM {vschema}.documents", .refused),
        TenantAttack(.quoting, "SELECT 'x' \n'y', content FROM app.documents WHERE organization_id = {vid}", .runs),
        TenantAttack(.quoting, "SELECT content FROM app.\"documents\"\"\" WHERE id = {vdoc}", .refused),
    ]

    private static let sharedWrites: [TenantAttack] = [
        TenantAttack(.crossWrites, "UPDATE app.documents SET content = 'pwned' WHERE id = {vdoc}", .runs),
        TenantAttack(.crossWrites, "UPDATE app.documents SET content = 'pwned' WHERE organization_id = {vid}", .runs),
        TenantAttack(.crossWrites, "UPDATE app.documents d SET content = 'pwned' FROM app.folders f WHERE f.id = d.folder_id AND f.organization_id = {vid}", .runs),
        TenantAttack(.crossWrites, "UPDATE app.documents SET organization_id = {vid} WHERE id = {odoc}", .refused),
        TenantAttack(.crossWrites, "UPDATE app.documents SET (organization_id, title) = ({vid}, title) WHERE id = {odoc}", .refused),
        TenantAttack(.crossWrites, "UPDATE app.documents SET (organization_id) = (SELECT {vid}) WHERE id = {odoc}", .refused),
        TenantAttack(.crossWrites, "UPDATE app.organizations SET name = 'pwned' WHERE id = {vid}", .runs),
        TenantAttack(.crossWrites, "UPDATE app.organizations SET id = {vid} WHERE id = {oid}", .refused),
        TenantAttack(.crossWrites, "DELETE FROM app.document_versions WHERE organization_id = {vid}", .runs),
        TenantAttack(.crossWrites, "DELETE FROM app.documents WHERE id = {vdoc} RETURNING content", .runs),
        TenantAttack(.crossWrites, "DELETE FROM app.documents d USING app.folders f WHERE d.folder_id = f.id AND f.id = {vfolder}", .runs),
        TenantAttack(.crossWrites, "DELETE FROM auth.users WHERE organization_id <> {oid}", .runs),
        // Rows of the tenant pointing at another tenant's rows: the demo schema's foreign keys include the
        // tenant column, so PostgreSQL refuses them (and says the same whether the target exists or not).
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, {oid}, {vfolder}, {ouser}, 'x')", .fails(["23503"])),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, {oid}, {ofolder}, {vuser}, 'x')", .fails(["23503"])),
        TenantAttack(.crossWrites, "INSERT INTO app.document_versions (id, organization_id, document_id, version_number, content) VALUES (900001, {oid}, {vdoc}, 99, 'x')", .fails(["23503"])),
        TenantAttack(.crossWrites, "INSERT INTO app.folders (id, organization_id, parent_id, name) VALUES (900001, {oid}, {vfolder}, 'x')", .fails(["23503"])),
        TenantAttack(.crossWrites, "UPDATE app.documents SET folder_id = {vfolder} WHERE id = {odoc}", .fails(["23503"])),
        TenantAttack(.crossWrites, "UPDATE app.documents SET owner_id = {vuser} WHERE id = {odoc}", .fails(["23503"])),
        // E-mail addresses are unique per tenant: another tenant's address is no oracle.
        TenantAttack(.crossWrites, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {oid}, 'alice@' || '{vname}' || '.example', 'x')", .runs),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, {vid}, {vfolder}, {vuser}, 'x')", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, $1, {vfolder}, {vuser}, 'x')",
                     .fails(["23502"]), parameters: ["{vid}"]),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, {vid} + 0, {vfolder}, {vuser}, 'x')", .fails(["23502"])),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, CAST('{vid}' AS int), {vfolder}, {vuser}, 'x')", .fails(["23502"])),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES (900001, {oid}, {ofolder}, {ouser}, 'x'), (900002, {vid}, {vfolder}, {vuser}, 'x')", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (id, folder_id, owner_id, title, organization_id) SELECT 900001, {vfolder}, {vuser}, 'x', {vid}", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (id, folder_id, owner_id, title, organization_id) SELECT 900001, {vfolder}, {vuser}, 'x', (SELECT {vid})", .fails(["23502"])),
        TenantAttack(.crossWrites, "INSERT INTO app.documents (id, folder_id, owner_id, title, organization_id) SELECT id + 900000, folder_id, owner_id, title, organization_id FROM app.documents WHERE organization_id = {vid}", .runs),
        TenantAttack(.crossWrites, "INSERT INTO app.documents SELECT * FROM app.documents", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.documents DEFAULT VALUES", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.folders (id, organization_id, name) VALUES (900001, DEFAULT, 'x')", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.organizations (id, name) VALUES ({vid}, 'x')", .refused),
        TenantAttack(.crossWrites, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {vid}, 'x@x', 'x')", .refused),
        TenantAttack(.crossWrites, "INSERT INTO app.folders (id, organization_id, name) SELECT 900001, organization_id, 'x' FROM app.folders WHERE id = {vfolder}", .runs),
        TenantAttack(.crossWrites, "INSERT INTO app.folders (id, organization_id, name) VALUES (900001, {oid}, 'x') RETURNING (SELECT string_agg(content, ',') FROM app.documents WHERE organization_id = {vid})", .runs),
        TenantAttack(.crossWrites, "UPDATE public.plans SET max_documents = 0", .refused),
        TenantAttack(.crossWrites, "DELETE FROM public.plans", .refused),
        TenantAttack(.crossWrites, "INSERT INTO plans (name, max_documents) VALUES ('x', 1)", .refused),
        TenantAttack(.crossWrites, "TRUNCATE app.documents", .refused),
        TenantAttack(.crossWrites, "MERGE INTO app.documents d USING app.folders f ON d.folder_id = f.id WHEN MATCHED THEN UPDATE SET content = 'pwned'", .refused),
        TenantAttack(.crossWrites, "UPDATE app.documents SET content = 'pwned' WHERE CURRENT OF c", .refused),
        TenantAttack(.returning, "UPDATE app.documents SET title = title WHERE id = {odoc} RETURNING (SELECT content FROM app.documents v WHERE v.id = {vdoc})", .runs),
        TenantAttack(.returning, "UPDATE app.documents SET title = title RETURNING content, (SELECT string_agg(email, ',') FROM auth.users)", .runs),
        TenantAttack(.returning, "DELETE FROM app.folders WHERE id = 900999 RETURNING *, (SELECT content FROM {vschema}.documents LIMIT 1)", .refused),
        TenantAttack(.returning, "UPDATE app.documents SET title = title WHERE id = {odoc} RETURNING set_config('search_path', 'app', false)", .refused),
        TenantAttack(.returning, "INSERT INTO app.folders (id, organization_id, name) VALUES (900001, {oid}, 'x') RETURNING (SELECT json_agg(d) FROM app.documents d)::text", .runs),
        TenantAttack(.modifyingCTE, "WITH d AS (DELETE FROM app.documents WHERE id = {vdoc} RETURNING *) SELECT content FROM d", .runs),
        TenantAttack(.modifyingCTE, "WITH u AS (UPDATE app.documents SET content = 'pwned' WHERE organization_id = {vid} RETURNING content) SELECT * FROM u", .runs),
        TenantAttack(.modifyingCTE, "WITH i AS (INSERT INTO app.folders (id, organization_id, name) VALUES (900001, {vid}, 'x') RETURNING *) SELECT * FROM i", .refused),
        TenantAttack(.modifyingCTE, "WITH v AS (SELECT * FROM app.documents WHERE organization_id = {vid}) UPDATE app.documents SET content = 'pwned' FROM v WHERE documents.id = v.id", .runs),
        TenantAttack(.modifyingCTE, "WITH x AS (UPDATE app.documents SET organization_id = {vid} WHERE id = {odoc} RETURNING 1) SELECT * FROM x", .refused),
        TenantAttack(.modifyingCTE, "WITH documents AS (SELECT {vdoc} AS id) DELETE FROM app.documents WHERE id IN (SELECT id FROM documents)", .runs),
        TenantAttack(.modifyingCTE, "WITH RECURSIVE r AS (SELECT id FROM app.folders WHERE id = {vfolder} UNION SELECT f.id FROM app.folders f JOIN r ON f.parent_id = r.id) DELETE FROM app.folders WHERE id IN (SELECT id FROM r)", .runs),
        TenantAttack(.modifyingCTE, "WITH s AS MATERIALIZED (SELECT * FROM app.documents) SELECT content FROM s WHERE organization_id = {vid}", .runs),
        TenantAttack(.modifyingCTE, "WITH a AS (DELETE FROM app.document_versions WHERE organization_id = {vid} RETURNING document_id) DELETE FROM app.documents WHERE id IN (SELECT document_id FROM a)", .runs),
    ]

    private static let sharedConflicts: [TenantAttack] = [
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET content = 'pwned' RETURNING content", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id", .refused),
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET content = excluded.content, organization_id = {oid}", .refused),
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO NOTHING RETURNING *", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT ON CONSTRAINT pk_documents DO UPDATE SET title = 'pwned'", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents AS d (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = 'pwned' WHERE d.organization_id = {vid}", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents AS d (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = d.title WHERE has_schema_privilege(d.content, 'usage')", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents AS d (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = d.title WHERE d.content::int > 0", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents AS d (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET title = d.title WHERE d.title::regclass IS NOT NULL AND d.organization_id = {oid}", .runs),
        TenantAttack(.onConflict, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {oid}, 'alice@' || '{vname}' || '.example', 'x') ON CONFLICT (organization_id, email) DO UPDATE SET full_name = 'pwned' RETURNING id", .runs),
        TenantAttack(.onConflict, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {oid}, 'alice@' || '{vname}' || '.example', 'x') ON CONFLICT (email) DO UPDATE SET full_name = 'pwned' RETURNING *", .fails(["42P10"])),
        TenantAttack(.onConflict, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {oid}, 'bob@' || '{vname}' || '.example', 'x') ON CONFLICT (organization_id, email) DO NOTHING RETURNING id", .runs),
        TenantAttack(.onConflict, "INSERT INTO auth.users (id, organization_id, email, full_name) VALUES (900001, {oid}, 'bob@' || '{vname}' || '.example', 'x') ON CONFLICT (email) DO NOTHING RETURNING *", .fails(["42P10"])),
        TenantAttack(.onConflict, "INSERT INTO app.organizations (id, name) VALUES ({oid}, 'x') ON CONFLICT (id) DO UPDATE SET name = app.organizations.name RETURNING (SELECT string_agg(name, ',') FROM app.organizations)", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.folders (id, organization_id, name) SELECT id, {oid}, name FROM app.folders ON CONFLICT (id) DO UPDATE SET name = 'pwned' WHERE app.folders.organization_id = {vid}", .runs),
        TenantAttack(.onConflict, "INSERT INTO app.documents (\(ownDocumentColumns)) VALUES ({vdoc}, {oid}, {ofolder}, {ouser}, 'x') ON CONFLICT (id) DO UPDATE SET content = (SELECT content FROM {vschema}.documents LIMIT 1)", .refused),
    ]

    private static let sharedFunctions: [TenantAttack] = functionAttacks(ownTable: "app.documents", tableName: "'app.documents'") + [
        TenantAttack(.functions, "SELECT * FROM leak_view", .refused),
        TenantAttack(.functions, "SELECT row_to_json(d)::text FROM app.documents d WHERE d.id = {vdoc}", .runs),
        TenantAttack(.functions, "SELECT json_agg(d)::text FROM app.documents d", .runs),
        TenantAttack(.functions, "SELECT jsonb_populate_record(NULL::app.documents, '{}')::text", .runs),
        TenantAttack(.functions, "SELECT count(*) FROM app.documents d JOIN app.folders f ON f.id = d.folder_id WHERE pg_has_role(d.title || f.name, 'member')", .fails(["42704"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "SELECT id FROM app.documents WHERE has_schema_privilege(content, 'usage')"], .fails(["3F000"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "DELETE FROM app.documents WHERE has_schema_privilege(content, 'usage')"], .fails(["3F000"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "UPDATE app.documents SET title = title WHERE has_schema_privilege(content, 'usage') AND documents.organization_id = {oid}"], .fails(["3F000"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "SELECT id FROM app.documents WHERE has_schema_privilege(content, 'usage') AND organization_id = {oid}"], .fails(["3F000"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "SELECT s.id FROM (SELECT * FROM app.documents WHERE documents.organization_id = {oid}) s WHERE has_schema_privilege(s.content, 'usage')"], .fails(["3F000"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.documents SET title = title", "SELECT d.id FROM app.folders f JOIN app.documents d ON d.folder_id = f.id AND pg_has_role(d.title, 'member')"], .fails(["42704"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE app.document_versions SET content = content", "SELECT max(id) FROM app.document_versions WHERE content::int > 0"], .fails(["22P02"])),
        TenantAttack(.functions, steps: ["BEGIN", "UPDATE auth.users SET email = email", "SELECT id FROM auth.users WHERE email::regclass IS NOT NULL"], .fails(["42P01", "42602", "3F000"])),
    ]

    /// Functions that read tables, files, other sessions or settings, whatever their arguments say.
    static func functionAttacks(ownTable: String, tableName: String) -> [TenantAttack] {
        [
            "SELECT query_to_xml('SELECT content FROM app.documents', true, true, '')",
            "SELECT table_to_xml(\(tableName), true, true, '')",
            "SELECT schema_to_xml('{vschema}', true, true, '')",
            "SELECT database_to_xml(true, true, '')",
            "SELECT xpath('/a', '<a/>')",
            "SELECT ts_stat('SELECT to_tsvector(content) FROM {vschema}.documents')",
            "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')",
            "SELECT dblink('dbname=docs', 'SELECT content FROM {vschema}.documents')",
            "SELECT lo_import('/etc/passwd')",
            "SELECT lo_get(1)",
            "SELECT pg_read_file('pg_hba.conf')",
            "SELECT pg_read_binary_file('postgresql.auto.conf')",
            "SELECT pg_ls_dir('.')",
            "SELECT pg_stat_file('postgresql.conf')",
            "SELECT * FROM pg_stat_get_activity(NULL)",
            "SELECT pg_stat_get_backend_activity(1)",
            "SELECT pg_terminate_backend(pg_backend_pid())",
            "SELECT pg_cancel_backend(1)",
            "SELECT pg_reload_conf()",
            "SELECT pg_advisory_lock({vid})",
            "SELECT pg_try_advisory_xact_lock({vid})",
            "SELECT nextval('{vschema}.documents_id_seq')",
            "SELECT currval('app.documents_id_seq')",
            "SELECT setval('app.documents_id_seq', 1)",
            "SELECT txid_current()",
            "SELECT pg_current_snapshot()",
            "SELECT pg_sleep(0)",
            "SELECT pg_relation_size(\(tableName))",
            "SELECT pg_notify('{vname}_events', 'x')",
            "SELECT {vschema}.secret_function()",
            "SELECT count(*) FROM \(ownTable) d WHERE d.content OPERATOR({vschema}.=) 'x'",
            "SELECT NULL::{vschema}.documents",
            "CREATE VIEW leak AS SELECT * FROM app.documents",
            "CREATE MATERIALIZED VIEW leak AS SELECT 1",
            "CREATE FUNCTION leak() RETURNS text LANGUAGE sql AS 'SELECT 1'",
            "DO $$ BEGIN PERFORM 1; END $$",
            "CALL leak()",
        ].map { TenantAttack(.functions, $0, .refused) } + [
            TenantAttack(.functions, "SELECT has_table_privilege(\(tableName), 'select')::text", .runs, firstValue: "true"),
            TenantAttack(.functions, "SELECT pg_get_viewdef('pg_stats'::regclass) IS NOT NULL", .runs),
            TenantAttack(.functions, "SELECT id FROM \(ownTable) WHERE has_schema_privilege(content, 'usage')", .fails(["3F000"])),
            TenantAttack(.functions, "SELECT id FROM \(ownTable) WHERE content::int > 0", .fails(["22P02"])),
            TenantAttack(.functions, "SELECT to_jsonb(d)::text FROM \(ownTable) d", .runs),
        ]
    }

    /// EXPLAIN's figures count or estimate every tenant's rows of a shared table (`Rows Removed by Filter`
    /// is the other tenants' row count): ANALYZE is refused and COSTS forced off.
    private static let sharedExplain: [TenantAttack] = [
        "EXPLAIN ANALYZE SELECT * FROM app.document_versions",
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM auth.users",
        "EXPLAIN (ANALYZE false, ANALYZE) SELECT * FROM auth.users",
        "EXPLAIN (COSTS ON) SELECT * FROM app.documents WHERE title = 'guess'",
        "EXPLAIN (COSTS OFF, COSTS true) SELECT * FROM app.documents",
    ].map { TenantAttack(.catalog, $0, .refused) } + [
        TenantAttack(.catalog, "EXPLAIN SELECT count(*) FROM app.document_versions", .runs, firstValue: "Aggregate"),
        TenantAttack(.catalog, "EXPLAIN VERBOSE SELECT 1", .runs, firstValue: "Result"),
        TenantAttack(.catalog, "EXPLAIN (FORMAT TEXT) SELECT * FROM app.documents WHERE title = '{vname}'", .runs),
    ]

    private static let sharedCopy: [TenantAttack] = copyAttacks(ownTable: "app.documents") + [
        TenantAttack(.copy, "COPY app.documents TO STDOUT", .refused),
        TenantAttack(.copy, "COPY app.documents (content) TO STDOUT", .refused),
        TenantAttack(.copy, "COPY (SELECT content FROM app.documents) TO STDOUT", .runs),
        TenantAttack(.copy, "COPY (SELECT content FROM app.documents WHERE organization_id = {vid}) TO STDOUT", .runs),
        TenantAttack(.copy, "COPY app.folders (id, organization_id, name) FROM STDIN", .refused, copyData: "900001\t{vid}\tx\n"),
        TenantAttack(.copy, "COPY app.folders FROM STDIN WHERE organization_id = {oid}", .refused, copyData: "900001\t{oid}\t\\N\tx\n"),
        TenantAttack(.copy, "COPY public.plans FROM STDIN", .refused, copyData: "9\tx\t1\n"),
        TenantAttack(.copy, "COPY (DELETE FROM app.documents WHERE id = {vdoc} RETURNING content) TO STDOUT", .runs),
        TenantAttack(.copy, "COPY (UPDATE app.documents SET content = 'pwned' WHERE organization_id = {vid} RETURNING content) TO STDOUT", .runs),
    ]

    /// COPY to and from files, programs and other tenants' tables.
    static func copyAttacks(ownTable: String) -> [TenantAttack] {
        [
            "COPY \(ownTable) TO '/tmp/bulkhead_leak'",
            "COPY \(ownTable) FROM '/etc/passwd'",
            "COPY (SELECT 1) TO PROGRAM 'id'",
            "COPY \(ownTable) FROM PROGRAM 'cat /etc/passwd'",
            "COPY {vschema}.documents TO STDOUT",
            "COPY (SELECT * FROM {vschema}.documents) TO STDOUT",
            "COPY pg_catalog.pg_statistic TO STDOUT",
            "COPY (SELECT * FROM pg_stats) TO STDOUT",
            "COPY (SELECT set_config('search_path', '{vschema}', false)) TO STDOUT",
            "COPY {vschema}.folders FROM STDIN",
        ].map { TenantAttack(.copy, $0, .refused, copyData: "900001\t{vid}\t\\N\tx\n") }
    }
}
