// The `[proxy]` section: process-wide settings and the defaults databases and users inherit.

/// Settings of the proxy process, from the `[proxy]` table. `init()` gives the documented defaults.
public struct ProxySettings: Sendable, Hashable {
    /// `listen`: where clients connect, "host:port" or "[ipv6]:port". Default "127.0.0.1:6432".
    public var listen: ListenAddress
    /// `workers`: event-loop threads; 0 means one per CPU core. Default 0, at most 1024.
    public var workers: Int
    /// `pool_mode`: the pooling mode of databases and users that set none. Default session.
    public var poolMode: PoolMode
    /// `max_client_connections`: client connections accepted at once, 1...1,000,000; more are refused. Default 10000.
    public var maxClientConnections: Int
    /// `admin_users`: `[[users]]` names allowed on the admin console. Default none.
    public var adminUsers: [String]
    /// `auth_method`: the authentication of users that set none. Default scram-sha-256.
    public var authMethod: AuthMethod
    /// `auth_failure_delay`: pause before reporting a failed login, to slow password guessing; 0...10 s. Default 0.25 s.
    public var authFailureDelay: Duration
    /// `max_message_length`: largest protocol message accepted from either side, in bytes;
    /// 1024...1073741824 (PostgreSQL's own limit is 1 GiB). Default 268435456.
    public var maxMessageLength: Int
    /// `connect_timeout`: time allowed to open and authenticate a server connection. Default 5 s.
    public var connectTimeout: Duration
    /// `query_wait_timeout`: time a client may wait for a server connection; zero waits forever. Default 120 s.
    public var queryWaitTimeout: Duration
    /// `server_idle_timeout`: idle server connections beyond `min_pool_size` are closed after this. Default 600 s.
    public var serverIdleTimeout: Duration
    /// `server_lifetime`: server connections older than this are closed when released, spreading reconnects
    /// after failovers and bounding server-side memory growth. Default 3600 s.
    public var serverLifetime: Duration
    /// `server_check_delay`: a connection idle longer than this is checked before reuse; zero checks every time. Default 30 s.
    public var serverCheckDelay: Duration
    /// `client_idle_timeout`: clients idle this long are disconnected; zero disables. Default 0.
    public var clientIdleTimeout: Duration
    /// `idle_transaction_timeout`: clients idle inside a transaction this long are disconnected, since they hold
    /// a server connection; zero disables. Default 0.
    public var idleTransactionTimeout: Duration
    /// `server_reset_query`: run when a session-mode client releases its server connection; empty runs nothing.
    /// Default "DISCARD ALL".
    public var serverResetQuery: String
    /// `max_prepared_statements`: prepared statements tracked per client so they survive server changes in
    /// transaction mode; 0...100000, 0 disables tracking. Default 200.
    public var maxPreparedStatements: Int
    /// `session_features`: what to do when a client uses session state under transaction or statement pooling. Default pin.
    public var sessionFeatures: SessionFeaturePolicy
    /// `health_check_interval`: how often every node is probed for liveness, role and replica lag. Default 1 s.
    public var healthCheckInterval: Duration
    /// `max_replica_lag`: replicas further behind than this get no reads. Default 10 s.
    public var maxReplicaLag: Duration
    /// `primary_wait_timeout`: how long writes wait for a primary to (re)appear, as during a failover;
    /// zero fails them at once. Default 10 s.
    public var primaryWaitTimeout: Duration
    /// `log_level`: the minimum severity logged. Default info.
    public var logLevel: LogLevel
    /// `metrics_listen`: where to serve Prometheus metrics, "host:port"; nil serves none. Default nil.
    public var metricsListen: ListenAddress?
    /// `shutdown_timeout`: on shutdown, how long clients may finish before being disconnected; zero disconnects
    /// at once. Default 30 s.
    public var shutdownTimeout: Duration

    /// The defaults, as used for every key the `[proxy]` table leaves out.
    public init() {
        listen = ListenAddress(host: "127.0.0.1", port: 6432)
        workers = 0
        poolMode = .session
        maxClientConnections = 10_000
        adminUsers = []
        authMethod = .scramSHA256
        authFailureDelay = .milliseconds(250)
        maxMessageLength = 268_435_456
        connectTimeout = .seconds(5)
        queryWaitTimeout = .seconds(120)
        serverIdleTimeout = .seconds(600)
        serverLifetime = .seconds(3600)
        serverCheckDelay = .seconds(30)
        clientIdleTimeout = .zero
        idleTransactionTimeout = .zero
        serverResetQuery = "DISCARD ALL"
        maxPreparedStatements = 200
        sessionFeatures = .pin
        healthCheckInterval = .seconds(1)
        maxReplicaLag = .seconds(10)
        primaryWaitTimeout = .seconds(10)
        logLevel = .info
        metricsListen = nil
        shutdownTimeout = .seconds(30)
    }
}
