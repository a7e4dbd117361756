// Reads the `[proxy]` table, starting from the defaults.

extension ProxySettings {
    /// Reads every `[proxy]` key; absent or invalid keys keep their default (invalid ones are reported).
    init(reading table: TableReader) {
        self.init()
        listen = table.parsed("listen", ListenAddress.parse) ?? listen
        workers = table.integer("workers", in: 0...1024) ?? workers
        poolMode = table.choice("pool_mode", as: PoolMode.self) ?? poolMode
        maxClientConnections = table.integer("max_client_connections", in: 1...1_000_000) ?? maxClientConnections
        adminUsers = table.stringList("admin_users")?.map(\.text) ?? adminUsers
        authMethod = table.choice("auth_method", as: AuthMethod.self) ?? authMethod
        authFailureDelay = table.seconds("auth_failure_delay", in: .between(0, 10)) ?? authFailureDelay
        maxMessageLength = table.integer("max_message_length", in: 1024...1_073_741_824) ?? maxMessageLength
        connectTimeout = table.seconds("connect_timeout", in: .positive) ?? connectTimeout
        queryWaitTimeout = table.seconds("query_wait_timeout", in: .zeroOrMore) ?? queryWaitTimeout
        serverIdleTimeout = table.seconds("server_idle_timeout", in: .positive) ?? serverIdleTimeout
        serverLifetime = table.seconds("server_lifetime", in: .positive) ?? serverLifetime
        serverCheckDelay = table.seconds("server_check_delay", in: .zeroOrMore) ?? serverCheckDelay
        clientIdleTimeout = table.seconds("client_idle_timeout", in: .zeroOrMore) ?? clientIdleTimeout
        idleTransactionTimeout = table.seconds("idle_transaction_timeout", in: .zeroOrMore) ?? idleTransactionTimeout
        serverResetQuery = table.string("server_reset_query") ?? serverResetQuery
        maxPreparedStatements = table.integer("max_prepared_statements", in: 0...100_000) ?? maxPreparedStatements
        sessionFeatures = table.choice("session_features", as: SessionFeaturePolicy.self) ?? sessionFeatures
        healthCheckInterval = table.seconds("health_check_interval", in: .positive) ?? healthCheckInterval
        maxReplicaLag = table.seconds("max_replica_lag", in: .positive) ?? maxReplicaLag
        primaryWaitTimeout = table.seconds("primary_wait_timeout", in: .zeroOrMore) ?? primaryWaitTimeout
        logLevel = table.choice("log_level", as: LogLevel.self) ?? logLevel
        metricsListen = table.parsed("metrics_listen", ListenAddress.parse) ?? metricsListen
        shutdownTimeout = table.seconds("shutdown_timeout", in: .zeroOrMore) ?? shutdownTimeout
        table.rejectUnknownKeys()
    }
}
