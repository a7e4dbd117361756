// Derives the run-time plan from a validated configuration.

import BulkheadConfig
import BulkheadPool
import BulkheadSession
import Logging

extension ProxyPlan {
    /// Resolves defaults, picks each database's primary node and prepares every login secret once.
    public init(config: BulkheadConfig) {
        let proxy = config.proxy
        let primary = config.nodes.first { $0.role == .primary } ?? config.nodes.first
        let primaryAddress = NodeAddress(name: primary?.name ?? "primary", host: primary?.host ?? "127.0.0.1", port: primary?.port ?? 5432)
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
                poolMode: PoolMode(rawValue: database.poolMode.rawValue), primary: primaryAddress,
                unavailable: database.isolation == .none ? nil
                    : "bulkhead: database \"\(database.name)\" asks for isolation = \"\(database.isolation.rawValue)\", which this build does not enforce yet; refusing rather than serving it unconfined")
        }
        var users: [String: UserPlan] = [:]
        let tenantUsers = config.tenants.flatMap { tenant in tenant.users.map { ($0, Set([tenant.database])) } }
        let plainUsers = config.users.map { ($0, $0.databases.map(Set.init)) }
        for (user, allowed) in plainUsers + tenantUsers {
            let method = ClientAuthMethod(rawValue: user.authMethod.rawValue) ?? .scramSHA256
            users[user.name] = UserPlan(
                name: user.name, method: method, secret: ProxyPlan.prepare(secret: user.password, method: method),
                poolMode: user.poolMode.flatMap { PoolMode(rawValue: $0.rawValue) }, databases: allowed)
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
    }
}
