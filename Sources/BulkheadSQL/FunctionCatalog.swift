// The built-in function lists: which functions a tenant may call, and which cannot write (for routing).

/// Built-in PostgreSQL functions known by name, all in `pg_catalog`.
///
/// Two lists, for two questions:
/// - `tenantSafe`: functions that read nothing beyond their arguments (plus catalog-metadata helpers that
///   drivers and psql `\d` need). A tenant may call only these and its configured `allowed_functions`.
///   Deliberately absent: `set_config`/`current_setting` (session state; `SHOW` of allowed settings covers the
///   need), the `*_to_xml` family and every XML function, `dblink*`, `lo_*`, `pg_read_*`, `pg_ls_*`,
///   signalling (`pg_terminate_backend`, `pg_cancel_backend`, `pg_reload_conf`), `pg_sleep*` (no use in an
///   application, holds a shared server connection), sequence functions (`nextval` takes a table name as a
///   string, beyond the table checks), advisory locks (keys are not namespaced per tenant), `pg_notify`,
///   `txid_*`/`pg_current_xact_id`/`pg_current_wal_*` (expose other tenants' activity), and every
///   `pg_stat_*`/size function (statistics about every tenant's rows).
/// - `readOnly`: functions that cannot write or change session state, for read/write routing. It is wider
///   (statistics, settings and recovery functions are fine on a replica).
public enum FunctionCatalog {
    /// Functions a tenant may call (by name, unqualified or in `pg_catalog`).
    public static let tenantSafe: Set<String> = pure.union(metadata)

    /// Functions that never write, for routing; anything else sends a statement to the primary.
    public static let readOnly: Set<String> = pure.union(metadata).union(readOnlyButNotTenantSafe)

    /// Session-level advisory lock functions: the lock outlives the transaction, so the connection is pinned.
    public static let sessionAdvisoryLocks: Set<String> = [
        "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
        "pg_advisory_unlock", "pg_advisory_unlock_shared", "pg_advisory_unlock_all",
    ]

    /// Transaction-level advisory lock functions: released at commit or rollback.
    public static let transactionAdvisoryLocks: Set<String> = [
        "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared", "pg_try_advisory_xact_lock",
        "pg_try_advisory_xact_lock_shared",
    ]

    static let pure: Set<String> = [
        // Mathematics.
        "abs", "ceil", "ceiling", "floor", "round", "trunc", "mod", "power", "pow", "sqrt", "cbrt", "exp", "ln",
        "log", "log10", "sign", "div", "pi", "degrees", "radians", "random", "width_bucket", "gcd", "lcm",
        "factorial", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sind", "cosd", "tand", "asind",
        "acosd", "atand", "atan2d", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "scale", "min_scale",
        "trim_scale", "numeric_inc",
        // Strings.
        "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length",
        "substr", "substring", "position", "strpos", "btrim", "ltrim", "rtrim", "lpad", "rpad", "replace",
        "reverse", "left", "right", "repeat", "split_part", "concat", "concat_ws", "format", "md5", "sha224",
        "sha256", "sha384", "sha512", "encode", "decode", "to_hex", "ascii", "chr", "quote_ident",
        "quote_literal", "quote_nullable", "regexp_replace", "regexp_match", "regexp_matches",
        "regexp_split_to_array", "regexp_split_to_table", "regexp_count", "regexp_instr", "regexp_like",
        "regexp_substr", "starts_with", "translate", "overlay", "string_to_array", "string_to_table",
        "array_to_string", "unistr", "normalize", "is_normalized", "to_char", "to_number", "to_date",
        "to_timestamp", "convert_from", "convert_to", "like_escape", "similar_escape", "similar_to_escape",
        "textlen", "bpchar", "varchar", "text", "char", "name", "get_bit", "get_byte", "set_bit", "set_byte",
        "bit_count", "crc32", "crc32c", "casefold", "string_agg", "uuid_extract_timestamp",
        // Dates and times.
        "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "date_trunc",
        "date_part", "extract", "date_bin", "age", "make_date", "make_time", "make_timestamp",
        "make_timestamptz", "make_interval", "justify_days", "justify_hours", "justify_interval", "isfinite",
        "timezone", "overlaps", "date", "time", "timestamp", "timestamptz", "interval", "date_add",
        "date_subtract",
        // Type conversions written as calls.
        "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "uuid", "json", "jsonb", "bytea",
        "to_json", "to_jsonb", "pg_typeof", "num_nulls", "num_nonnulls",
        // Aggregates.
        "count", "sum", "avg", "min", "max", "array_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
        "bit_xor", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "stddev", "stddev_pop",
        "stddev_samp", "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp", "regr_avgx",
        "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy",
        "regr_syy", "mode", "percentile_cont", "percentile_disc", "range_agg", "range_intersect_agg",
        "any_value",
        // Window functions.
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
        // Set-returning and array functions.
        "generate_series", "generate_subscripts", "unnest", "array_length", "array_upper", "array_lower",
        "array_ndims", "array_dims", "cardinality", "array_append", "array_prepend", "array_cat",
        "array_position", "array_positions", "array_remove", "array_replace", "array_fill", "trim_array",
        "array_to_json", "array_sample", "array_shuffle",
        // JSON.
        "row_to_json", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
        "json_object", "jsonb_object", "jsonb_set", "jsonb_set_lax", "jsonb_insert", "jsonb_strip_nulls",
        "json_strip_nulls", "jsonb_pretty", "jsonb_typeof", "json_typeof", "jsonb_array_length",
        "json_array_length", "jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path",
        "json_extract_path_text", "jsonb_array_elements", "jsonb_array_elements_text", "json_array_elements",
        "json_array_elements_text", "jsonb_each", "jsonb_each_text", "json_each", "json_each_text",
        "jsonb_object_keys", "json_object_keys", "jsonb_to_record", "jsonb_to_recordset", "json_to_record",
        "json_to_recordset", "jsonb_populate_record", "jsonb_populate_recordset", "json_populate_record",
        "json_populate_recordset", "jsonb_path_query", "jsonb_path_exists", "jsonb_path_match",
        "jsonb_path_query_array", "jsonb_path_query_first", "jsonb_path_query_tz", "jsonb_path_exists_tz",
        "jsonb_path_match_tz", "jsonb_path_query_array_tz", "jsonb_path_query_first_tz",
        "jsonb_contains", "jsonb_exists", "jsonb_exists_any", "jsonb_exists_all",
        // Ranges, networks, identifiers and other value-only helpers.
        "lower_inc", "upper_inc", "lower_inf", "upper_inf", "isempty", "range_merge", "int4range",
        "int8range", "numrange", "tsrange", "tstzrange", "daterange", "host", "hostmask", "masklen",
        "netmask", "network", "family", "abbrev", "broadcast", "inet_merge", "inet_same_family",
        "gen_random_uuid", "uuid_generate_v4", "uuidv4", "uuidv7", "to_tsvector", "to_tsquery",
        "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_rank", "ts_rank_cd",
        "ts_headline", "setweight", "strip", "numnode", "querytree", "tsvector_to_array", "array_to_tsvector",
        "greatest", "least", "coalesce", "nullif",
        // Session facts that carry no data of anyone else.
        "version", "current_database", "current_schema", "current_schemas", "current_user", "session_user",
        "current_role", "user", "pg_backend_pid", "pg_client_encoding", "pg_postmaster_start_time",
        "pg_conf_load_time", "pg_jit_available", "current_query", "getdatabaseencoding",
    ]

    /// Catalog helpers that turn catalog rows into names and definitions (metadata, readable like the
    /// catalog itself): what drivers, ORMs' reflection and psql's `\d` call.
    static let metadata: Set<String> = [
        "format_type", "pg_get_expr", "pg_get_constraintdef", "pg_get_indexdef", "pg_get_triggerdef",
        "pg_get_viewdef", "pg_get_ruledef", "pg_get_functiondef", "pg_get_function_arguments",
        "pg_get_function_identity_arguments", "pg_get_function_result", "pg_get_userbyid",
        "pg_get_serial_sequence", "pg_get_statisticsobjdef", "pg_get_partkeydef", "pg_get_partition_constraintdef",
        "pg_get_keywords", "obj_description", "col_description", "shobj_description", "pg_table_is_visible",
        "pg_type_is_visible", "pg_function_is_visible", "pg_operator_is_visible", "pg_opclass_is_visible",
        "pg_collation_is_visible", "pg_conversion_is_visible", "pg_ts_config_is_visible",
        "pg_statistics_obj_is_visible", "pg_encoding_to_char", "pg_char_to_encoding", "pg_collation_for",
        "has_table_privilege", "has_column_privilege", "has_any_column_privilege", "has_schema_privilege",
        "has_function_privilege", "has_sequence_privilege", "has_database_privilege", "has_type_privilege",
        "pg_has_role", "to_regclass", "to_regtype", "to_regproc", "to_regprocedure", "to_regnamespace",
        "to_regrole", "to_regoper", "to_regoperator", "pg_get_indexdef", "array_in", "pg_index_column_has_property",
        "pg_index_has_property", "pg_indexam_has_property", "pg_tablespace_location", "pg_size_pretty",
        "pg_relation_is_updatable", "pg_column_is_updatable", "pg_get_replica_identity_index",
        "pg_options_to_table", "pg_describe_object", "pg_identify_object", "pg_identify_object_as_address",
        "pg_get_object_address", "pg_input_is_valid", "pg_input_error_info", "pg_partition_ancestors",
        "pg_partition_tree", "pg_partition_root", "pg_get_statisticsobjdef_columns",
        "pg_get_statisticsobjdef_expressions", "pg_opfamily_is_visible", "pg_ts_parser_is_visible",
        "pg_ts_dict_is_visible", "pg_ts_template_is_visible", "pg_relation_is_publishable",
    ]

    static let readOnlyButNotTenantSafe: Set<String> = [
        "current_setting", "pg_is_in_recovery", "pg_last_wal_replay_lsn", "pg_last_wal_receive_lsn",
        "pg_last_xact_replay_timestamp", "pg_is_wal_replay_paused", "pg_get_wal_replay_pause_state",
        "pg_sleep", "pg_sleep_for", "pg_sleep_until", "pg_relation_size", "pg_total_relation_size",
        "pg_table_size", "pg_indexes_size", "pg_database_size", "pg_tablespace_size", "pg_column_size",
        "pg_relation_filenode", "pg_relation_filepath", "txid_current_snapshot", "pg_current_snapshot",
        "txid_snapshot_xmin", "txid_snapshot_xmax", "txid_snapshot_xip", "pg_snapshot_xmin",
        "pg_snapshot_xmax", "pg_snapshot_xip", "pg_visible_in_snapshot", "txid_visible_in_snapshot",
        "inet_server_addr", "inet_server_port", "inet_client_addr", "inet_client_port", "pg_my_temp_schema",
        "pg_is_other_temp_schema", "pg_trigger_depth", "pg_blocking_pids", "pg_safe_snapshot_blocking_pids",
        "pg_stat_get_activity", "pg_stat_get_backend_pid", "pg_stat_get_numscans", "pg_stat_get_tuples_returned",
        "pg_stat_get_live_tuples", "pg_stat_get_dead_tuples", "pg_stat_get_db_numbackends",
        "pg_stat_get_db_xact_commit", "pg_stat_get_db_xact_rollback", "pg_wal_lsn_diff", "pg_lsn",
        "pg_stat_statements", "pg_ls_dir", "pg_xact_commit_timestamp", "pg_last_committed_xact",
        "pg_control_checkpoint", "pg_control_system", "pg_control_init", "pg_control_recovery",
        "pg_current_logfile", "pg_get_wal_resource_managers", "pg_available_extensions",
        "pg_available_extension_versions", "pg_show_all_settings", "pg_timezone_names", "pg_timezone_abbrevs",
        "pg_cursor", "pg_prepared_statement", "pg_lock_status", "pg_get_keywords", "pg_get_catalog_foreign_keys",
        "pg_listening_channels", "pg_notification_queue_usage", "pg_backup_start_time",
        "pg_tablespace_databases", "pg_get_backend_memory_contexts", "pg_stat_file", "pg_read_file",
        "pg_read_binary_file", "xml_is_well_formed",
    ]
}
