// Attacks that read the same in both layouts: catalog and statistics views, and session state (prepared
// statements, cursors, temp tables, LISTEN/NOTIFY) that could outlive a tenant on a pooled connection.

extension TenantAttackCatalog {
    /// Views and functions that expose data values or other sessions' activity, in many spellings and
    /// positions; metadata (names, definitions) stays readable.
    static func catalogViews(qualifiedOwnTable: String) -> [TenantAttack] {
        let relations = [
            "pg_stats", "pg_catalog.pg_stats", "\"pg_stats\"", "PG_STATS", "U&\"pg\\005fstats\"", "pg_catalog . pg_stats",
            "docs.pg_catalog.pg_stats", "\"pg_catalog\".\"pg_stats\"", "pg_stats_ext", "pg_stats_ext_exprs", "pg_statistic",
            "pg_statistic_ext_data", "pg_stat_activity", "pg_catalog.pg_stat_activity", "pg_stat_statements",
            "public.pg_stat_statements", "pg_prepared_statements", "pg_cursors", "pg_largeobject", "pg_largeobject_metadata",
            "pg_locks", "pg_settings", "pg_file_settings", "pg_hba_file_rules", "pg_authid", "pg_shadow", "pg_user_mappings",
            "pg_sequences", "pg_stat_user_tables", "pg_statio_user_tables", "pg_stat_database", "pg_replication_slots",
            "pg_stat_replication", "pg_prepared_xacts", "pg_backend_memory_contexts", "pg_stat_xact_user_tables",
            "pg_stat_all_indexes", "pg_subscription", "pg_stat_ssl", "information_schema.user_mapping_options",
            "information_schema.foreign_server_options", "information_schema.no_such_view",
        ]
        let positions = [
            "SELECT (SELECT query FROM pg_stat_activity LIMIT 1)",
            "WITH a AS (SELECT * FROM pg_stats) SELECT * FROM a",
            "SELECT c.relname FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname",
            "SELECT * FROM pg_class c, LATERAL (SELECT most_common_vals FROM pg_stats WHERE tablename = c.relname) s",
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_statistic)",
            "SELECT id FROM \(qualifiedOwnTable) WHERE content IN (SELECT most_common_vals::text FROM pg_stats)",
            "SELECT relname FROM pg_class UNION ALL SELECT query FROM pg_stat_activity",
            "SELECT * FROM pg_stat_statements(true)",
            "SELECT * FROM pg_lock_status()",
            "SELECT * FROM pg_show_all_settings()",
            "SELECT * FROM pg_get_backend_memory_contexts()",
            "SELECT * FROM pg_stat_get_progress_info('VACUUM')",
            "EXPLAIN SELECT * FROM pg_stats",
        ]
        let allowed = [
            "SELECT relname FROM pg_class WHERE relname = 'documents'",
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'documents'",
            "SELECT nspname FROM pg_namespace ORDER BY 1",
            "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = '\(qualifiedOwnTable)'::regclass AND attnum > 0",
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname LIKE 'tenant%'",
        ]
        return relations.map { TenantAttack(.catalog, "SELECT * FROM \($0)", .refused) }
            + positions.map { TenantAttack(.catalog, $0, .refused) }
            + allowed.map { TenantAttack(.catalog, $0, .runs) }
    }

    /// pg_class's row estimates count every tenant's rows (`namespace` holds the victim's tables): through the
    /// proxy they read as "never analysed", in every spelling, while the rest of pg_class stays usable.
    static func estimateReads(namespace: String) -> [TenantAttack] {
        let scope = "relnamespace = \(namespace)::regnamespace"
        let hidden: [(String, String)] = [
            ("SELECT max(reltuples)::text FROM pg_class WHERE \(scope)", "-1"),
            ("SELECT max(c.relpages)::text FROM pg_catalog.pg_class c WHERE c.\(scope)", "0"),
            ("SELECT max((c).reltuples)::text FROM pg_class c WHERE c.\(scope)", "-1"),
            ("SELECT max((row_to_json(c)->>'reltuples')::real)::text FROM pg_class c WHERE c.\(scope)", "-1"),
            ("SELECT max(t)::text FROM pg_class AS c(o, n, ns, ty, oft, ow, am, fn, ts, p, t) "
                + "WHERE ns = \(namespace)::regnamespace", "-1"),
            ("SELECT max(reltuples)::text FROM ONLY pg_catalog.pg_class WHERE \(scope)", "-1"),
            ("SELECT max(reltuples)::text FROM docs.pg_catalog.\"pg_class\" WHERE \(scope)", "-1"),
            ("SELECT max(pg_catalog.pg_class.reltuples)::text FROM pg_catalog.pg_class "
                + "WHERE pg_catalog.pg_class.\(scope)", "-1"),
            ("SELECT max(x.reltuples)::text FROM (SELECT * FROM pg_class) x WHERE x.\(scope)", "-1"),
            ("WITH c AS (SELECT * FROM pg_class) SELECT max(reltuples)::text FROM c WHERE \(scope)", "-1"),
            ("SELECT (SELECT max(relallvisible) FROM pg_class WHERE \(scope))::text", "0"),
            ("SELECT count(*)::text FROM pg_class WHERE \(scope) AND reltuples > 0", "0"),
            // SQLAlchemy's reflection query, with schema-qualified column names, still finds the table.
            ("SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace "
                + "ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace "
                + "WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r', 'p']) AND pg_catalog.pg_class.relname = 'documents' "
                + "AND pg_catalog.pg_namespace.oid = \(namespace)::regnamespace", "documents"),
            // psql's \d: the table's properties (the form psql 15 sends, shortened).
            ("SELECT c.relchecks::text || c.relkind::text || c.relhasindex::text FROM pg_catalog.pg_class c "
                + "LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) "
                + "WHERE c.relname = 'documents' AND c.\(scope)", "0rtrue"),
        ]
        return hidden.map { TenantAttack(.catalog, $0.0, .runs, firstValue: $0.1) } + [
            TenantAttack(.catalog, "COPY pg_class TO STDOUT", .refused),
            TenantAttack(.catalog, "COPY pg_catalog.pg_class (relname, reltuples) TO STDOUT", .refused),
            TenantAttack(.catalog, "SELECT reltuples FROM pg_class TABLESAMPLE system (100)", .refused),
        ]
    }

    /// Session state a tenant could try to leave for, or take from, the next client of a server connection.
    static func sessionState(ownTable: String) -> [TenantAttack] {
        let refusedPrepared = [
            "PREPARE p AS SELECT content FROM \(ownTable)", "PREPARE s1 AS SELECT 1", "EXECUTE s1", "EXECUTE s1({vdoc})",
            "DEALLOCATE ALL", "DEALLOCATE s1", "DEALLOCATE PREPARE s1", "EXPLAIN EXECUTE s1",
            "SELECT * FROM pg_prepared_statement()",
        ]
        let refusedCursors = [
            "DECLARE c CURSOR WITH HOLD FOR SELECT content FROM \(ownTable)",
            "DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT 1",
            "SELECT * FROM pg_cursor()",
        ]
        let refusedTemp = [
            "CREATE TEMP TABLE t AS SELECT * FROM \(ownTable)", "CREATE TEMP TABLE documents (id int)",
            "SELECT * INTO TEMP t FROM \(ownTable)", "CREATE TEMP VIEW v AS SELECT 1", "SELECT * FROM pg_temp.documents",
            "SELECT * FROM pg_temp_1.documents", "DISCARD TEMP", "SELECT pg_my_temp_schema()", "CREATE TEMP SEQUENCE s",
            "CREATE UNLOGGED TABLE t (x int)", "CREATE TABLE pg_temp.x (y int)", "INSERT INTO pg_temp.x VALUES (1)",
            "CREATE TABLE t AS SELECT * FROM \(ownTable)",
        ]
        let refusedListen = [
            "LISTEN {vname}_events", "LISTEN \"{vname}_events\"", "NOTIFY {vname}_events", "NOTIFY {vname}_events, 'x'",
            "SELECT pg_listening_channels()", "SELECT pg_notification_queue_usage()",
        ]
        return refusedPrepared.map { TenantAttack(.prepared, $0, .refused) }
            + refusedCursors.map { TenantAttack(.cursors, $0, .refused) }
            + refusedTemp.map { TenantAttack(.tempTables, $0, .refused) }
            + refusedListen.map { TenantAttack(.listen, $0, .refused) } + [
                TenantAttack(.cursors, steps: ["BEGIN", "DECLARE c SCROLL CURSOR FOR SELECT content FROM \(ownTable) WHERE id = {vdoc}",
                                               "FETCH ALL FROM c"], .runs),
                TenantAttack(.cursors, steps: ["BEGIN", "DECLARE c CURSOR FOR SELECT * FROM {vschema}.documents"], .refused),
                TenantAttack(.cursors, steps: ["BEGIN", "DECLARE c CURSOR FOR SELECT set_config('role', '{vrole}', false)"], .refused),
                TenantAttack(.cursors, "FETCH ALL FROM s1", .fails(["34000"])),
                TenantAttack(.cursors, "MOVE NEXT IN c", .fails(["34000"])),
                TenantAttack(.cursors, "CLOSE ALL", .runs),
                TenantAttack(.tempTables, "SELECT relname FROM pg_class WHERE relpersistence = 't'", .runs),
                TenantAttack(.listen, "UNLISTEN *", .runs),
                TenantAttack(.searchPath, "SHOW application_name", .runs),
                TenantAttack(.searchPath, "SHOW statement_timeout", .runs),
            ]
    }
}
