// Memory limits of the read-your-writes tracker.

/// How much the ``ConsistencyTracker`` remembers, and for how long.
public struct ConsistencySettings: Sendable, Hashable {
    /// Scopes remembered at most; beyond that the oldest is folded into the shared floor.
    public var capacity: Int
    /// Scopes not written for this long are folded into the shared floor. Replicas within `max_replica_lag`
    /// have long replayed such positions, so the floor costs nothing while it keeps the guarantee exact.
    public var retention: Duration

    public init(capacity: Int = 100_000, retention: Duration = .seconds(60)) {
        self.capacity = max(1, capacity)
        self.retention = retention
    }
}
