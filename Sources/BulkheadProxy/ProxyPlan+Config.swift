// Derives the run-time plan from a validated configuration.

import BulkheadConfig
import BulkheadPool
import BulkheadRouting
import BulkheadSQL
import BulkheadSession
import Logging

extension ProxyPlan {
    /// Resolves defaults, picks each database's primary node and prepares every login secret once.
    public init(config: BulkheadConfig) {
        let proxy = config.proxy
        let addresses = config.nodes.map { NodeAddress(name: $0.name, host: $0.host, port: $0.port) }
        var databases: [String: DatabasePlan] = [:]
        for database in config.databases {
            let settings = PoolSettings(
                maxSize: database.poolSize,
                minSize: database.minPoolSize,
                reserveSize: database.reservePoolSize,
                queueTimeout: database.queryWaitTimeout == .zero ? nil : database.queryWaitTimeout,
                idleTimeout: proxy.serverIdleTimeout == .zero ? nil : proxy.serverIdleTimeout,
                lifetime: proxy.serverLifetime == .zero ? nil : proxy.serverLifetime)
            databases[database.name] = DatabasePlan(
                name: database.name, serverDatabase: database.serverDatabase, serverUser: database.serverUser,
                serverPassword: database.serverPassword, pool: settings,
                poolMode: PoolMode(rawValue: database.poolMode.rawValue), nodes: addresses,
                routing: RoutingPolicy(readWriteSplit: database.readWriteSplit, primaryReads: database.primaryReads,
                                       readYourWrites: database.consistency == .readYourWrites,
                                       tenantScope: database.consistencyScope == .tenant, defersBegin: false))
        }
        var users: [String: UserPlan] = [:]
        let tenantUsers = config.tenants.flatMap { tenant in
            tenant.users.map { ($0, Set([tenant.database]) as Set<String>?, Self.tenantPlan(tenant, config: config)) }
        }
        let plainUsers = config.users.map { ($0, $0.databases.map(Set.init), TenantPlan?.none) }
        for (user, allowed, tenant) in plainUsers + tenantUsers {
            let method = ClientAuthMethod(rawValue: user.authMethod.rawValue) ?? .scramSHA256
            users[user.name] = UserPlan(
                name: user.name, method: method, secret: ProxyPlan.prepare(secret: user.password, method: method),
                poolMode: user.poolMode.flatMap { PoolMode(rawValue: $0.rawValue) }, databases: allowed, tenant: tenant)
        }
        self.init(
            host: proxy.listen.host, port: proxy.listen.port, workers: proxy.workers,
            maxClientConnections: proxy.maxClientConnections, authFailureDelay: proxy.authFailureDelay,
            maxMessageLength: proxy.maxMessageLength, connectTimeout: proxy.connectTimeout,
            serverCheckDelay: proxy.serverCheckDelay,
            clientIdleTimeout: proxy.clientIdleTimeout == .zero ? nil : proxy.clientIdleTimeout,
            idleTransactionTimeout: proxy.idleTransactionTimeout == .zero ? nil : proxy.idleTransactionTimeout,
            resetQuery: proxy.serverResetQuery, maxPreparedStatements: proxy.maxPreparedStatements,
            rejectSessionFeatures: proxy.sessionFeatures == .reject, defaultPoolMode: PoolMode(rawValue: proxy.poolMode.rawValue) ?? .session,
            defaultAuthMethod: ClientAuthMethod(rawValue: proxy.authMethod.rawValue) ?? .scramSHA256,
            logLevel: Logger.Level(rawValue: proxy.logLevel.rawValue) ?? .info,
            databases: databases, users: users)
        routingNodes = config.nodes.map { node in
            RoutingNode(name: node.name, role: ConfiguredRole(rawValue: node.role.rawValue) ?? .auto, weight: node.weight)
        }
        topology = TopologySettings(healthCheckInterval: proxy.healthCheckInterval, maxReplicaLag: proxy.maxReplicaLag,
                                    primaryWaitTimeout: proxy.primaryWaitTimeout)
        healthCheckLogin = config.databases.first.map {
            HealthCheckLogin(user: $0.serverUser, password: $0.serverPassword, database: $0.serverDatabase)
        }
        readOnlyFunctions = Set(config.databases.flatMap(\.readOnlyFunctions).map { QualifiedName(schema: $0.schema, name: $0.name) })
    }

    /// The gate policy and owned settings of one tenant. Nil (and so unconfined) never happens for a tenant:
    /// a tenant of a database without isolation gets a policy that refuses everything.
    static func tenantPlan(_ tenant: TenantConfig, config: BulkheadConfig) -> TenantPlan? {
        guard let database = config.database(named: tenant.database) else { return nil }
        let globals = Set(database.globalTables.map { QualifiedName(schema: $0.schema, name: $0.table) })
        let functions = Set(database.allowedFunctions.map { QualifiedName(schema: $0.schema, name: $0.name) })
        var forced = ParameterSet()
        let isolation: TenantPolicy.Isolation
        switch database.isolation {
        case .schema:
            let schema = tenant.schema ?? "tenant_\(tenant.name.lowercased())"
            isolation = .schema(schema: schema, globalTables: globals)
            forced["search_path"] = "\(quoteIdentifier(schema)), pg_temp"
        case .shared, .none:
            var tables: [QualifiedName: String] = [:]
            for table in database.tenantTables { tables[QualifiedName(schema: table.schema, name: table.table)] = table.column }
            // A tenant without a tenant_id (only possible without shared isolation) matches no row.
            isolation = .shared(tenantID: tenant.tenantID ?? -1, tenantTables: tables, globalTables: globals)
            forced["search_path"] = "public"
            if database.setRLSSetting, let id = tenant.tenantID { forced["bulkhead.tenant_id"] = String(id) }
        }
        if let role = tenant.serverRole { forced["role"] = role }
        return TenantPlan(name: tenant.name, database: tenant.database,
                          policy: TenantPolicy(tenant: tenant.name, isolation: isolation, allowedFunctions: functions),
                          forcedParameters: forced)
    }

    /// A double-quoted identifier, as search_path needs for names that are not plain lower case.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
