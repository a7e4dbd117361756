// Reads a whole configuration document: every section, then the checks that span sections.

/// Turns a parsed TOML document into a `BulkheadConfig`, reporting every problem to `diagnostics`.
struct ConfigDocumentReader {
    let diagnostics: Diagnostics

    /// The configuration, or nil when any problem was reported.
    func read(_ document: [String: ConfigValue]) -> BulkheadConfig? {
        let root = TableReader(entries: document, path: .root, diagnostics: diagnostics)
        let proxy = root.table("proxy").map { ProxySettings(reading: $0) } ?? ProxySettings()

        let nodes = entries(root, "nodes").compactMap { table in
            NodeConfig(reading: table).map { Located(value: $0, path: table.path) }
        }
        let databaseTables = entries(root, "databases")
        let databases = databaseTables.compactMap { table in
            DatabaseConfig(reading: table, proxy: proxy).map { Located(value: $0, path: table.path) }
        }
        // Entries that failed to read still count as declared, so references to them are not reported twice.
        let references = DeclaredNames(
            databases: databases.map(\.value),
            databaseNames: databaseTables.compactMap { $0.peekString("name") }
        )

        var users: [Located<UserEntry>] = []
        let tenants = optionalEntries(root, "tenants").compactMap { table in
            TenantConfig(reading: table, references: references, proxy: proxy, users: &users)
                .map { Located(value: $0, path: table.path) }
        }
        let tenantUserNames = users.map(\.value.name)
        let userTables = optionalEntries(root, "users")
        let plainUsers = userTables.compactMap { table in
            UserEntry(
                reading: table, scope: .plain(knownDatabases: references.databaseNames),
                defaultAuthMethod: proxy.authMethod
            ).map { Located(value: $0, path: table.path) }
        }
        users += plainUsers
        root.rejectUnknownKeys()

        let checks = CrossReferenceChecks(diagnostics: diagnostics)
        checks.checkNodes(nodes)
        checks.checkDatabases(databases)
        checks.checkTenants(tenants)
        checks.checkUsers(users)
        checks.checkAdminUsers(
            proxy.adminUsers, plainUserNames: userTables.compactMap { $0.peekString("name") },
            tenantUserNames: tenantUserNames
        )

        guard diagnostics.errors.isEmpty else { return nil }
        return BulkheadConfig(
            proxy: proxy, nodes: nodes.map(\.value), databases: references.databases,
            tenants: tenants.map(\.value), users: plainUsers.map(\.value)
        )
    }

    /// A mandatory array of tables: a proxy with no node or no database could serve nothing.
    private func entries(_ root: TableReader, _ key: String) -> [TableReader] {
        guard root.contains(key) else {
            root.report(key, "at least one [[\(key)]] entry is required")
            return []
        }
        let tables = root.tableList(key) ?? []
        if case .array(let elements)? = root.value(key), elements.isEmpty {
            root.report(key, "at least one [[\(key)]] entry is required")
        }
        return tables
    }

    private func optionalEntries(_ root: TableReader, _ key: String) -> [TableReader] {
        root.tableList(key) ?? []
    }
}
