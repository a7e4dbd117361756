// A snapshot of a pool's occupancy, for the admin console and metrics.

/// Counts of a pool's connections and waiters at one moment.
public struct PoolStats: Sendable, Hashable {
    public var idle: Int
    public var leased: Int
    public var connecting: Int
    public var waiting: Int
    /// Seconds the oldest waiter has waited.
    public var longestWait: Duration
    public var total: Int { idle + leased + connecting }
}
