// Which catalog relations a tenant may read: metadata yes, data and other sessions' activity no.

/// Catalog relations are an allowlist, so a view added by a later PostgreSQL release is refused until
/// reviewed. Allowed: the tables and views holding names and definitions, which drivers, ORM reflection and
/// psql's `\d` read (a documented limit: names are visible to every tenant, so they must not carry secrets).
/// Refused, by not being listed: `pg_statistic`/`pg_stats*` (column values), every `pg_stat_*`/`pg_statio_*`
/// view, `pg_locks`, `pg_prepared_statements`, `pg_prepared_xacts`, `pg_cursors`, `pg_largeobject*`,
/// `pg_authid`, `pg_shadow`, `pg_user_mapping(s)`, `pg_settings`, `pg_file_settings`, `pg_hba_file_rules`,
/// `pg_sequences` (last values), `pg_replication_*`, `pg_subscription`, `pg_foreign_server` (options).
enum CatalogRelations {
    static let pgCatalog: Set<String> = [
        "pg_class", "pg_attribute", "pg_type", "pg_namespace", "pg_index", "pg_constraint", "pg_attrdef",
        "pg_description", "pg_proc", "pg_am", "pg_amop", "pg_amproc", "pg_opclass", "pg_opfamily",
        "pg_operator", "pg_collation", "pg_enum", "pg_range", "pg_inherits", "pg_trigger", "pg_depend",
        "pg_database", "pg_roles", "pg_user", "pg_tables", "pg_views", "pg_indexes", "pg_matviews",
        "pg_sequence", "pg_extension", "pg_language", "pg_cast", "pg_conversion", "pg_tablespace",
        "pg_timezone_names", "pg_timezone_abbrevs", "pg_available_extensions", "pg_available_extension_versions",
        "pg_partitioned_table", "pg_rewrite", "pg_policy", "pg_policies", "pg_publication", "pg_publication_rel",
        "pg_publication_namespace", "pg_publication_tables", "pg_event_trigger", "pg_aggregate", "pg_ts_config",
        "pg_ts_config_map", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_init_privs", "pg_default_acl",
        "pg_shdescription", "pg_auth_members", "pg_statistic_ext", "pg_rules", "pg_foreign_table",
        "pg_foreign_data_wrapper", "pg_transform", "pg_shdepend", "pg_group", "pg_seclabel", "pg_seclabels",
        "pg_shseclabel", "pg_parameter_acl",
    ]

    /// information_schema views: all metadata, except those exposing foreign-server and user-mapping options,
    /// which may hold credentials.
    static let informationSchema: Set<String> = [
        "tables", "columns", "views", "schemata", "table_constraints", "key_column_usage",
        "constraint_column_usage", "constraint_table_usage", "referential_constraints", "check_constraints",
        "routines", "parameters", "sequences", "element_types", "domains", "domain_constraints",
        "domain_udt_usage", "triggers", "triggered_update_columns", "table_privileges", "column_privileges",
        "role_table_grants", "role_column_grants", "usage_privileges", "role_usage_grants", "character_sets",
        "collations", "collation_character_set_applicability", "enabled_roles", "applicable_roles",
        "administrable_role_authorizations", "attributes", "user_defined_types", "view_table_usage",
        "view_column_usage", "view_routine_usage", "column_udt_usage", "column_domain_usage",
        "data_type_privileges", "information_schema_catalog_name", "sql_features", "sql_implementation_info",
        "sql_parts", "sql_sizing", "routine_privileges", "role_routine_grants", "udt_privileges",
        "role_udt_grants", "check_constraint_routine_usage", "column_column_usage", "routine_column_usage",
        "routine_routine_usage", "routine_sequence_usage", "routine_table_usage", "table_constraints",
    ]

    /// True when `schema.name` is a readable catalog relation. `schema` is `pg_catalog` or `information_schema`.
    static func isReadable(schema: String, name: String) -> Bool {
        switch schema {
        case "pg_catalog": return pgCatalog.contains(name)
        case "information_schema": return informationSchema.contains(name)
        default: return false
        }
    }
}
