// Reads one `[[databases]]` table, resolving overrides against the proxy defaults.

extension DatabaseConfig {
    static let defaultTenantColumn = "organization_id"

    /// Reads and checks one database; nil when a required key is missing or invalid (already reported).
    init?(reading table: TableReader, proxy: ProxySettings) {
        let name = table.parsed("name", required: true, NameRules.postgresName)
        let serverDatabase = table.parsed("server_database", NameRules.postgresName)
        let serverUser = table.parsed("server_user", required: true, NameRules.postgresName)
        let serverPassword = table.string("server_password") ?? ""
        let poolSize = table.integer("pool_size", in: 1...10_000) ?? 20
        let minPoolSize = table.integer("min_pool_size", in: 0...10_000) ?? 0
        if minPoolSize > poolSize {
            table.report("min_pool_size", "must not exceed pool_size (\(poolSize)), got \(minPoolSize)")
        }
        let reservePoolSize = table.integer("reserve_pool_size", in: 0...10_000) ?? 0
        let poolMode = table.choice("pool_mode", as: PoolMode.self) ?? proxy.poolMode
        let maxPrepared = table.integer("max_prepared_statements", in: 0...100_000) ?? proxy.maxPreparedStatements
        let queryWaitTimeout = table.seconds("query_wait_timeout", in: .zeroOrMore) ?? proxy.queryWaitTimeout
        let isolation = table.choice("isolation", as: IsolationMode.self) ?? .none
        let tenantColumn = table.parsed("tenant_column", SQLNameParser.identifier) ?? Self.defaultTenantColumn
        let tenantTables = Self.readTenantTables(table, isolation: isolation, defaultColumn: tenantColumn)
        let globalTables = table.parsedList("global_tables", TableName.parse) ?? []
        let allowedFunctions = table.parsedList("allowed_functions", FunctionName.parse) ?? []
        let readWriteSplit = table.boolean("read_write_split") ?? true
        let primaryReads = table.boolean("primary_reads") ?? false
        let consistency = table.choice("consistency", as: ReadConsistency.self) ?? .readYourWrites
        let consistencyScope = table.choice("consistency_scope", as: ConsistencyScope.self) ?? .session
        let readOnlyFunctions = table.parsedList("read_only_functions", FunctionName.parse) ?? []
        let setRLSSetting = table.boolean("set_rls_setting") ?? false
        table.rejectUnknownKeys()

        guard let name, let serverUser else { return nil }
        self.init(
            name: name, serverDatabase: serverDatabase ?? name, serverUser: serverUser,
            serverPassword: serverPassword, poolSize: poolSize, minPoolSize: minPoolSize,
            reservePoolSize: reservePoolSize, poolMode: poolMode, maxPreparedStatements: maxPrepared,
            queryWaitTimeout: queryWaitTimeout, isolation: isolation, tenantColumn: tenantColumn,
            tenantTables: tenantTables, globalTables: globalTables, allowedFunctions: allowedFunctions,
            readWriteSplit: readWriteSplit, primaryReads: primaryReads, consistency: consistency,
            consistencyScope: consistencyScope, readOnlyFunctions: readOnlyFunctions, setRLSSetting: setRLSSetting
        )
    }

    /// Tenant tables only make sense, and are then mandatory, with shared isolation: without them nothing is filtered.
    private static func readTenantTables(
        _ table: TableReader, isolation: IsolationMode, defaultColumn: String
    ) -> [TenantTable] {
        let key = "tenant_tables"
        let raw = table.value(key)
        let tables = table.parsedList(key) { TenantTable.parse($0, defaultColumn: defaultColumn) } ?? []
        switch (isolation, raw) {
        case (.shared, nil):
            table.report(key, "is required when isolation = \"shared\"")
        case (.shared, .array(let elements)?) where elements.isEmpty:
            table.report(key, "must list at least one table when isolation = \"shared\"")
        case (.none, _?), (.schema, _?):
            table.report(key, "is only allowed when isolation = \"shared\", but isolation is \"\(isolation.rawValue)\"")
        default:
            break
        }
        return tables
    }
}
