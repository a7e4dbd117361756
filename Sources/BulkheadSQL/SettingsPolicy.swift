// Which session settings a tenant may SET, RESET or SHOW, and with which values.

/// Settings are an allowlist. Never settable: `search_path`, `role`, `session_authorization`,
/// `row_security` (they are the isolation itself), and anything not listed. Two settings are allowed only at
/// the value the proxy's parser assumes, since any other value would make the server read the same bytes
/// differently from the gate: `client_encoding` must stay UTF8 (multi-byte encodings such as SJIS can hide a
/// quote inside a character), `standard_conforming_strings` must stay on (otherwise `'\'` escapes change
/// where a string ends). `bulkhead.route` is allowed because the proxy consumes it and never forwards it.
enum SettingsPolicy {
    static let settable: Set<String> = [
        "application_name", "client_min_messages", "datestyle", "intervalstyle", "timezone",
        "extra_float_digits", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
        "default_transaction_isolation", "default_transaction_read_only", "default_transaction_deferrable",
        "transaction_isolation", "transaction_read_only", "transaction_deferrable", "bytea_output",
        "synchronous_commit", "jit", "plan_cache_mode", "default_text_search_config", "lc_monetary",
        "lc_numeric", "lc_time", "escape_string_warning", "client_encoding", "standard_conforming_strings",
        "bulkhead.route",
    ]

    static let showable: Set<String> = settable.union([
        "server_version", "server_version_num", "server_encoding", "integer_datetimes", "max_identifier_length",
        "search_path", "in_hot_standby", "block_size", "lc_collate", "lc_ctype", "max_connections",
        "is_superuser", "session_authorization",
    ]).subtracting(["bulkhead.route"])

    /// Nil when the value is acceptable, else why not.
    static func problem(setting: String, values: [String]) -> String? {
        let joined = values.joined(separator: ",").lowercased()
        switch setting {
        case "client_encoding":
            let compact = joined.filter { $0 != "-" && $0 != "_" }
            return compact == "utf8" || compact == "unicode" ? nil : "client_encoding must stay UTF8"
        case "standard_conforming_strings":
            return ["on", "true", "1", "yes"].contains(joined) ? nil : "standard_conforming_strings must stay on"
        case "bulkhead.route":
            return ["primary", "replica", "auto"].contains(joined) ? nil : "bulkhead.route is primary, replica or auto"
        default:
            return nil
        }
    }
}
