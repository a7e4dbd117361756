// Builds the ProxyPlan the handler tests run against from TOML, the way an operator would configure it.

import BulkheadConfig
@testable import BulkheadProxy

/// The settings tests vary; everything else is a fixed configuration with one node and one database.
struct TestConfiguration {
    static let database = "app"
    static let serverDatabase = "appdb"
    static let serverUser = "bulkhead_server"
    static let nodeName = "primary"
    /// How the proxy names the single pool in its messages: server database, server user, node.
    static let poolName = "\(serverDatabase)/\(serverUser)@\(nodeName)"
    static let trustUser = "alice"
    static let md5User = "bob"
    static let md5Password = "right-password"
    static let scramUser = "carol"
    static let scramPassword = "carol-password"

    var poolSize = 2
    var maxClientConnections = 100
    /// Seconds.
    var authFailureDelay = 0.25
    var maxMessageLength = 4096
    /// Seconds; zero waits forever.
    var queryWaitTimeout = 0.0
    /// Seconds; zero disables.
    var clientIdleTimeout = 0.0
    /// "session", "transaction" or "statement".
    var poolMode = "session"
    /// Seconds a connection may idle before it is health-checked on checkout.
    var serverCheckDelay = 30.0

    var toml: String {
        """
        [proxy]
        listen = "127.0.0.1:0"
        max_client_connections = \(maxClientConnections)
        auth_failure_delay = \(authFailureDelay)
        max_message_length = \(maxMessageLength)
        server_reset_query = "DISCARD ALL"
        client_idle_timeout = \(clientIdleTimeout)
        server_check_delay = \(serverCheckDelay)

        [[nodes]]
        name = "\(Self.nodeName)"
        host = "192.0.2.10"
        port = 5432
        role = "primary"

        [[databases]]
        name = "\(Self.database)"
        server_database = "\(Self.serverDatabase)"
        server_user = "\(Self.serverUser)"
        server_password = "server-secret"
        pool_size = \(poolSize)
        pool_mode = "\(poolMode)"
        query_wait_timeout = \(queryWaitTimeout)

        [[users]]
        name = "\(Self.trustUser)"
        auth_method = "trust"

        [[users]]
        name = "\(Self.md5User)"
        auth_method = "md5"
        password = "\(Self.md5Password)"

        [[users]]
        name = "\(Self.scramUser)"
        auth_method = "scram-sha-256"
        password = "\(Self.scramPassword)"

        """
    }

    func plan() throws -> ProxyPlan {
        ProxyPlan(config: try BulkheadConfig.parse(toml, file: "proxy-tests.toml"))
    }
}
