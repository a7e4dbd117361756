// Decides which startup parameters a tenant's client may send: a short allowlist, everything else refused.

import BulkheadSession

/// The startup-parameter allowlist for tenant users.
///
/// A tenant must not reach the server with `options`, `search_path`, `role`, `replication`, session
/// authorization or anything else that changes what its SQL means, so only harmless client settings
/// pass; anything else refuses the login with 42501 rather than being dropped silently.
enum TenantStartup {
    static let allowed: Set<String> = [
        "application_name", "client_encoding", "datestyle", "intervalstyle", "timezone", "extra_float_digits",
        "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "standard_conforming_strings",
        "default_transaction_isolation", "default_transaction_read_only", "bytea_output", "geqo",
    ]

    static func check(_ request: StartupCheck.Request, tenant: String) -> StartupCheck.Refusal? {
        for parameter in request.parameters.sorted {
            let name = parameter.name.lowercased()
            guard allowed.contains(name) else {
                return StartupCheck.Refusal(sqlState: SQLState.insufficientPrivilege,
                                            message: "bulkhead: startup parameter \"\(parameter.name)\" is not allowed for tenant \(tenant)")
            }
            // The gate reads SQL as UTF-8 with standard strings; a client must not make the server read it otherwise.
            if name == "client_encoding", !["utf8", "utf-8", "unicode"].contains(parameter.value.lowercased()) {
                return StartupCheck.Refusal(sqlState: SQLState.insufficientPrivilege, message: "bulkhead: tenant clients must use client_encoding UTF8")
            }
            if name == "standard_conforming_strings", !["on", "true", "1", "yes"].contains(parameter.value.lowercased()) {
                return StartupCheck.Refusal(sqlState: SQLState.insufficientPrivilege,
                                            message: "bulkhead: tenant clients must keep standard_conforming_strings on")
            }
        }
        return nil
    }
}
