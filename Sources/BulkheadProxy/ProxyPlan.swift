// The configuration as the running proxy uses it: resolved, defaulted, with secrets prepared for login.

import BulkheadAuth
import BulkheadPool
import BulkheadRouting
import BulkheadSQL
import BulkheadSession
import Logging

/// Where a PostgreSQL server listens.
public struct NodeAddress: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
}

/// One database a client may name, and how to reach it.
///
/// A class, immutable: every client of the database holds the same instance, rather than a copy of its
/// couple of hundred bytes per idle client.
public final class DatabasePlan: Sendable {
    public let name: String
    public let serverDatabase: String
    public let serverUser: String
    public let serverPassword: String
    public let pool: PoolSettings
    public let poolMode: PoolMode?
    /// Every node, indexed by ``NodeID/rawValue`` as in the routing topology.
    public let nodes: [NodeAddress]
    /// `read_write_split`, `primary_reads`, `consistency` and `consistency_scope`.
    public let routing: RoutingPolicy

    public init(name: String, serverDatabase: String, serverUser: String, serverPassword: String, pool: PoolSettings,
                poolMode: PoolMode?, nodes: [NodeAddress], routing: RoutingPolicy) {
        self.name = name
        self.serverDatabase = serverDatabase
        self.serverUser = serverUser
        self.serverPassword = serverPassword
        self.pool = pool
        self.poolMode = poolMode
        self.nodes = nodes
        self.routing = routing
    }

    /// Reads may go to replicas: there are some, and the database splits reads from writes.
    public var routesReads: Bool { routing.readWriteSplit && nodes.count > 1 }
}

/// How the proxy logs in to run health checks on every node.
public struct HealthCheckLogin: Sendable {
    public var user: String
    public var password: String
    public var database: String
}

/// What confines a tenant's users: the SQL gate's policy and the settings the proxy owns for them.
///
/// A class, immutable, for the same reason as ``DatabasePlan``: each of the tenant's clients holds it.
public final class TenantPlan: Sendable {
    public let name: String
    /// The database (a `[[databases]]` name) the tenant lives in.
    public let database: String
    public let policy: TenantPolicy
    /// search_path (and role, and the RLS setting) forced on every server connection the tenant's clients get.
    public let forcedParameters: ParameterSet

    public init(name: String, database: String, policy: TenantPolicy, forcedParameters: ParameterSet) {
        self.name = name
        self.database = database
        self.policy = policy
        self.forcedParameters = forcedParameters
    }
}

/// One user who may log in.
public struct UserPlan: Sendable {
    public var name: String
    public var method: ClientAuthMethod
    /// Prepared for the method: a SCRAM verifier for SCRAM (derived once from a plaintext), the stored form for md5.
    public var secret: StoredSecret?
    public var poolMode: PoolMode?
    /// Databases the user may use; nil means all.
    public var databases: Set<String>?
    /// The tenant the user acts for; nil for `[[users]]`, who are not confined.
    public var tenant: TenantPlan?
}

/// Everything the proxy needs at run time, derived once from the configuration.
public struct ProxyPlan: Sendable {
    public var host: String
    public var port: Int
    public var workers: Int
    public var maxClientConnections: Int
    public var authFailureDelay: Duration
    public var maxMessageLength: Int
    public var connectTimeout: Duration
    /// Connections idle longer than this are checked before use; nil checks never (zero checks every time).
    public var serverCheckDelay: Duration?
    /// Nil when off.
    public var clientIdleTimeout: Duration?
    /// Nil when off.
    public var idleTransactionTimeout: Duration?
    public var resetQuery: String
    public var maxPreparedStatements: Int
    /// `session_features = "reject"`: refuse session state under transaction pooling instead of pinning.
    public var rejectSessionFeatures: Bool
    public var defaultPoolMode: PoolMode
    public var defaultAuthMethod: ClientAuthMethod
    public var logLevel: Logger.Level
    public var databases: [String: DatabasePlan]
    public var users: [String: UserPlan]
    /// The nodes as routing sees them, in the order of ``DatabasePlan/nodes``.
    public var routingNodes: [RoutingNode] = []
    public var topology = TopologySettings()
    /// The credentials of the first database: health checks need any login that works on every node.
    public var healthCheckLogin: HealthCheckLogin?
    /// `read_only_functions` of every database, for the classifier.
    public var readOnlyFunctions: Set<QualifiedName> = []

    /// Decides how a startup request is authenticated, without revealing whether the user exists.
    func policy(for request: StartupCheck.Request) -> LoginPolicy {
        guard let user = users[request.user] else {
            return LoginPolicy(userKnown: false, databaseKnown: false, method: defaultAuthMethod, secret: nil, poolMode: defaultPoolMode)
        }
        let database = databases[request.database]
        let allowed = database != nil && (user.databases?.contains(request.database) ?? true)
        let mode = user.poolMode ?? database?.poolMode ?? defaultPoolMode
        let refusal = user.tenant.flatMap { TenantStartup.check(request, tenant: $0.name) }
        var policy = LoginPolicy(userKnown: true, databaseKnown: allowed, method: user.method, secret: user.secret, poolMode: mode,
                                 refusal: refusal)
        if let tenant = user.tenant {
            policy.forcedParameters = tenant.forcedParameters
            policy.statementNamespace = tenant.name
        }
        if let database, allowed {
            policy.routesReads = database.routesReads
            policy.tracksWrites = database.routesReads && database.routing.readYourWrites
        }
        return policy
    }

    /// Turns a configured secret into what the login method needs, deriving SCRAM verifiers once at load.
    static func prepare(secret text: String?, method: ClientAuthMethod) -> StoredSecret? {
        guard let text else { return nil }
        let stored = StoredSecret(parsing: text)
        switch (method, stored) {
        case (.scramSHA256, .plaintext(let password)):
            return .scram(SCRAMVerifier.make(password: password))
        case (.scramSHA256, _), (.md5, _), (.trust, _):
            return stored
        }
    }
}
