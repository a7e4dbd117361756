// Checks that span entries: unique names, one primary, tenant keys per database, admin users.

/// Validations that need more than one entry at a time.
struct CrossReferenceChecks {
    let diagnostics: Diagnostics

    func checkNodes(_ nodes: [Located<NodeConfig>]) {
        checkUnique(nodes, key: "name", value: \.name) { "duplicate node name \"\($0.name)\"" }
        // Two primaries would split writes between servers that do not replicate each other.
        let primaries = nodes.filter { $0.value.role == .primary }
        if primaries.count > 1, let first = primaries.first {
            for node in primaries.dropFirst() {
                report(node.path.child("role"), "only one node may have role \"primary\"", firstAt: first.path.child("role"))
            }
        }
    }

    func checkDatabases(_ databases: [Located<DatabaseConfig>]) {
        checkUnique(databases, key: "name", value: \.name) { "duplicate database name \"\($0.name)\"" }
    }

    func checkTenants(_ tenants: [Located<TenantConfig>]) {
        checkUnique(tenants, key: "name", value: \.name) { "duplicate tenant name \"\($0.name)\"" }
        // Two tenants sharing an id or a schema would see each other's rows.
        let withIDs = tenants.filter { $0.value.tenantID != nil }
        checkUnique(withIDs, key: "tenant_id", value: { "\($0.database)\u{0}\($0.tenantID ?? 0)" }) {
            "tenant_id \($0.tenantID ?? 0) is already used by another tenant of database \"\($0.database)\""
        }
        let withSchemas = tenants.filter { $0.value.schema != nil }
        checkUnique(withSchemas, key: "schema", value: { "\($0.database)\u{0}\($0.schema ?? "")" }) {
            "schema \"\($0.schema ?? "")\" is already used by another tenant of database \"\($0.database)\""
        }
    }

    /// A login name must identify one user, whichever list it is in.
    func checkUsers(_ users: [Located<UserEntry>]) {
        checkUnique(users, key: "name", value: \.name) { "duplicate user name \"\($0.name)\"" }
    }

    /// `plainUserNames` includes entries that failed to read, so they are not also reported as missing here.
    func checkAdminUsers(_ adminUsers: [String], plainUserNames: [String], tenantUserNames: [String]) {
        for (index, name) in adminUsers.enumerated() where !plainUserNames.contains(name) {
            let path = ConfigPath("proxy", "admin_users").element(index)
            if tenantUserNames.contains(name) {
                diagnostics.report(path, "\"\(name)\" is a tenant user; admin_users must name [[users]] entries")
            } else {
                diagnostics.report(path, "no [[users]] entry named \"\(name)\"" + KeySuggester.hint(for: name, among: plainUserNames))
            }
        }
    }

    /// Reports every entry whose `value` repeats an earlier one, pointing back to the first.
    private func checkUnique<Value>(
        _ entries: [Located<Value>], key: String, value: (Value) -> String, message: (Value) -> String
    ) {
        var first: [String: ConfigPath] = [:]
        for entry in entries {
            let identity = value(entry.value)
            if let earlier = first[identity] {
                report(entry.path.child(key), message(entry.value), firstAt: earlier.child(key))
            } else {
                first[identity] = entry.path
            }
        }
    }

    private func report(_ path: ConfigPath, _ message: String, firstAt earlier: ConfigPath) {
        let suffix = diagnostics.locator.line(for: earlier).map { " (first defined on line \($0))" } ?? ""
        diagnostics.report(path, message + suffix)
    }
}
