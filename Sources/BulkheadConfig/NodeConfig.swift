// One `[[nodes]]` entry: a PostgreSQL server the proxy routes to.

/// A PostgreSQL server of the cluster.
public struct NodeConfig: Sendable, Hashable {
    /// `name`: unique label used in logs and metrics, `[A-Za-z0-9_.-]+`. Required.
    public var name: String
    /// `host`: host name or IP address. Required.
    public var host: String
    /// `port`: 1...65535. Default 5432.
    public var port: Int
    /// `role`: primary, replica or auto (detected by health checks). Required; at most one primary.
    public var role: NodeRole
    /// `weight`: share of reads relative to other replicas, 0...1000; 0 takes reads only when no other can. Default 1.
    public var weight: Int

    public init(name: String, host: String, port: Int = 5432, role: NodeRole, weight: Int = 1) {
        self.name = name
        self.host = host
        self.port = port
        self.role = role
        self.weight = weight
    }
}
