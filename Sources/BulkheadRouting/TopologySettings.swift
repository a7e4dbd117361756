// The timings and limits the topology and the router apply, resolved from the configuration.

/// Health and failover settings shared by all databases of one cluster.
public struct TopologySettings: Sendable, Hashable {
    /// `health_check_interval`: how often the owner probes every node.
    public var healthCheckInterval: Duration
    /// `max_replica_lag`: replicas further behind get no reads.
    public var maxReplicaLag: Duration
    /// `primary_wait_timeout`: how long a write waits for a primary to (re)appear before failing.
    public var primaryWaitTimeout: Duration
    /// A node with no successful check for this long is taken down by ``Topology/tick(now:)``, so a stalled
    /// checker cannot leave stale health and lag in force. Default: three check intervals.
    public var unconfirmedAfter: Duration
    /// Least time between two on-demand freshness checks of one replica once a check has shown it behind,
    /// so a slowed replica costs at most one extra query per spacing instead of one per read.
    public var freshnessCheckSpacing: Duration

    public init(
        healthCheckInterval: Duration = .seconds(1), maxReplicaLag: Duration = .seconds(10),
        primaryWaitTimeout: Duration = .seconds(10), unconfirmedAfter: Duration? = nil,
        freshnessCheckSpacing: Duration = .milliseconds(10)
    ) {
        self.healthCheckInterval = healthCheckInterval
        self.maxReplicaLag = maxReplicaLag
        self.primaryWaitTimeout = primaryWaitTimeout
        self.unconfirmedAfter = unconfirmedAfter ?? healthCheckInterval * 3
        self.freshnessCheckSpacing = freshnessCheckSpacing
    }
}
