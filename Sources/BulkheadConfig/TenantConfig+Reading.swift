// Reads one `[[tenants]]` table and its users, checking it against its database's isolation.

extension TenantConfig {
    static let defaultSchemaPrefix = "tenant_"

    /// Reads and checks one tenant; its users are appended to `users` with their paths, for the name-uniqueness check.
    /// Nil when a required key is missing or invalid (already reported).
    init?(
        reading table: TableReader, references: DeclaredNames, proxy: ProxySettings,
        users: inout [Located<UserEntry>]
    ) {
        let name = table.parsed("name", required: true, NameRules.label)
        let databaseName = table.parsed("database", required: true, NameRules.postgresName)
        let database = databaseName.flatMap { Self.checkDatabase(named: $0, in: references, table: table) }
        let tenantIDGiven = table.contains("tenant_id")
        let tenantID = table.integer("tenant_id", in: Int.min...Int.max).map(Int64.init)
        let schemaGiven = table.contains("schema")
        let explicitSchema = table.parsed("schema", NameRules.postgresName)
        let serverRole = table.parsed("server_role", NameRules.postgresName)
        let tenantUsers = Self.readUsers(
            table, tenant: name ?? "", database: databaseName ?? "", proxy: proxy
        )
        users += tenantUsers
        table.rejectUnknownKeys()

        guard let name, let database else { return nil }
        var schema: String?
        switch database.isolation {
        case .shared:
            if !tenantIDGiven {
                table.report("tenant_id", "is required because database \"\(database.name)\" uses isolation \"shared\"")
            }
            if schemaGiven {
                table.report("schema", "is only allowed when the database uses isolation \"schema\", but \"\(database.name)\" uses \"shared\"")
            }
        case .schema:
            if tenantIDGiven {
                table.report("tenant_id", "is not allowed because database \"\(database.name)\" uses isolation \"schema\" (tenants are told apart by schema)")
            }
            schema = explicitSchema ?? Self.defaultSchema(for: name, table: table)
        case .none:
            return nil
        }
        self.init(
            name: name, database: database.name, tenantID: tenantID, schema: schema,
            serverRole: serverRole, users: tenantUsers.map(\.value)
        )
    }

    /// The tenant's database must exist and isolate tenants; nil when it does not (reported).
    private static func checkDatabase(
        named name: String, in references: DeclaredNames, table: TableReader
    ) -> DatabaseConfig? {
        guard let database = references.databases.first(where: { $0.name == name }) else {
            if !references.databaseNames.contains(name) {
                let hint = KeySuggester.hint(for: name, among: references.databaseNames)
                table.report("database", "no [[databases]] entry named \"\(name)\"" + hint)
            }
            return nil
        }
        guard database.isolation != .none else {
            table.report("database", "database \"\(name)\" has isolation \"none\"; tenants need isolation \"schema\" or \"shared\"")
            return nil
        }
        return database
    }

    private static func readUsers(
        _ table: TableReader, tenant: String, database: String, proxy: ProxySettings
    ) -> [Located<UserEntry>] {
        let key = "users"
        guard table.contains(key) else {
            table.report(key, "is required: list at least one user, like users = [{ name = \"...\", password = \"...\" }]")
            return []
        }
        guard let readers = table.tableList(key) else { return [] }
        if readers.isEmpty, case .array(let elements)? = table.value(key), elements.isEmpty {
            table.report(key, "must list at least one user")
        }
        return readers.compactMap { reader in
            UserEntry(reading: reader, scope: .tenant(name: tenant, database: database), defaultAuthMethod: proxy.authMethod)
                .map { Located(value: $0, path: reader.path) }
        }
    }

    /// "tenant_" + the name, lower-cased because unquoted SQL would fold it; must still fit PostgreSQL's limit.
    private static func defaultSchema(for name: String, table: TableReader) -> String? {
        let schema = defaultSchemaPrefix + name.lowercased()
        guard schema.utf8.count <= SQLNameParser.maxIdentifierBytes else {
            table.report("schema", "the default \"\(schema)\" is longer than \(SQLNameParser.maxIdentifierBytes) bytes; set schema explicitly")
            return nil
        }
        return schema
    }
}
